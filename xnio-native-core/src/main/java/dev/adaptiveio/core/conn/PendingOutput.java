package dev.adaptiveio.core.conn;

/**
 * Output a connection accepted that the kernel does not hold yet, as the core sees it: epoll's
 * gather buffer, io_uring's send queue. Engines guard it with its own monitor, so the core takes
 * the same lock.
 */
public interface PendingOutput {

    /** Whether no accepted byte waits (bytes lent to the kernel in flight count as waiting). */
    boolean isEmpty();

    /** Drops the bytes not lent to the kernel (a truncate or a detach); bytes in flight stay. */
    void discardUnsent();
}
