package dev.adaptiveio.core.server;

import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The threads blocked in a server's {@code awaitAcceptable}: while any waits, every acceptor
 * watches for connections (even with accepts suspended), and a pending connection, or the
 * server closing, wakes them.
 */
final class AcceptWaiters {

    private final Object lock = new Object();
    private volatile int waiting;
    /** Counts wake-ups, so a waiter can tell one came (a plain notify could come before the wait). */
    private long signals;

    boolean anyWaiting() {
        return waiting > 0;
    }

    /** A connection is pending (or the server closed): waiters return. */
    void signal() {
        if (waiting > 0) {
            wakeAll();
        }
    }

    void wakeAll() {
        synchronized (lock) {
            signals++;
            lock.notifyAll();
        }
    }

    /**
     * Waits until signalled, {@code open} turns false, or the deadline; {@code waitersChanged}
     * runs (under the lock) after this thread joined and after it left the waiters.
     */
    void await(long deadlineNanos, BooleanSupplier open, Runnable waitersChanged) throws InterruptedIOException {
        synchronized (lock) {
            waiting++;
            waitersChanged.run();
            try {
                long before = signals;
                long left;
                while (open.getAsBoolean() && signals == before && (left = deadlineNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            } finally {
                waiting--;
                waitersChanged.run();
            }
        }
    }
}
