package dev.adaptiveio.core.natives;

import java.util.function.BooleanSupplier;

/**
 * The waiting part of an I/O thread's loop: blocks until events or a deadline, and dispatches
 * ready events to the listeners registered with the engine-specific poller.
 * <p>
 * All methods but {@link #wakeup()} must be called on the owning I/O thread.
 */
public interface IoPoller {

    /** Called once on the owning thread before the first {@link #poll}. */
    void initialize();

    /**
     * Waits for and dispatches events.
     * <p>
     * {@code mayBlock} is asked again after the poller has published that it is about to wait
     * (Netty's handlers do this): work queued by another thread just before that moment makes it
     * {@code false}, work queued after it finds {@link #wakeup()} armed. A flag computed before
     * the call would miss the first case and sleep through the wake-up.
     *
     * @param mayBlock      whether waiting is allowed now (nothing queued); called on the owning thread
     * @param deadlineNanos the {@link System#nanoTime()} at which to return at the latest, or
     *                      {@code -1} for no deadline
     * @return the number of I/O events dispatched
     */
    int poll(BooleanSupplier mayBlock, long deadlineNanos);

    /** Makes a blocked {@link #poll} return soon; callable from any thread. */
    void wakeup();

    /** Releases the poller; registrations still open are closed. */
    void close();
}
