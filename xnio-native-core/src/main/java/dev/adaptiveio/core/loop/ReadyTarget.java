package dev.adaptiveio.core.loop;

/**
 * Something an I/O thread calls back after its poll: a connection whose resumed direction is
 * ready (XNIO's readiness is level-triggered, so it stays scheduled while it stays ready).
 */
public interface ReadyTarget {

    /** Runs the ready handlers; called on the I/O thread. */
    void dispatchReady();
}
