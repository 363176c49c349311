package dev.adaptiveio.core.loop;

/**
 * A connection holding output that it gathered during this loop iteration and sends at the end
 * of it, so that everything a connection writes in one iteration leaves in one system call.
 */
public interface FlushTarget {

    /** Sends the gathered output; called on the I/O thread once per iteration it asked for. */
    void flushGathered();
}
