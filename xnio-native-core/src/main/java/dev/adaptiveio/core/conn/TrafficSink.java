package dev.adaptiveio.core.conn;

/**
 * Where a connection counts what it serves: its accepting server's share per engine, read by
 * the adaptive controller. Called on whichever thread reads or writes; implementations count
 * without locks. A connection counts what its I/O thread does into
 * {@link #confinedTo(Thread) that thread's own sink}, which needs no atomic instruction.
 */
public interface TrafficSink {

    /** Output followed input: one request/response exchange. */
    void exchange();

    /** Bytes the engine accepted for output. */
    void written(long bytes);

    /** A read or write failed for a reason other than the peer leaving. */
    void error();

    /**
     * A sink that only {@code thread} calls, whose counts still add up into this one's; by
     * default this sink itself.
     */
    default TrafficSink confinedTo(Thread thread) {
        return this;
    }
}
