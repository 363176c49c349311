package dev.adaptiveio.core.natives;

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
     *
     * @param canBlock      {@code false} to only collect what is ready now
     * @param deadlineNanos the {@link System#nanoTime()} at which to return at the latest, or
     *                      {@code -1} for no deadline
     * @return the number of I/O events dispatched
     */
    int poll(boolean canBlock, long deadlineNanos);

    /** Makes a blocked {@link #poll} return soon; callable from any thread. */
    void wakeup();

    /** Releases the poller; registrations still open are closed. */
    void close();
}
