package dev.adaptiveio.core.conn;

import java.io.IOException;

/**
 * Output a connection accepted that the kernel does not hold yet, as the core sees it: epoll's
 * gather buffer, io_uring's send queue; and the failure of a write the caller was not there to
 * hear (a gathered send at the end of the iteration, a completion), which the next write,
 * flush or file transfer reports ({@link NativeStreamConnection#checkOutput()}). Engines guard
 * it with its own monitor, so the core takes the same lock.
 */
public abstract class PendingOutput {

    /** Guarded by this. */
    private IOException failure;

    /** Whether no accepted byte waits (bytes lent to the kernel in flight count as waiting). */
    public abstract boolean isEmpty();

    /** Drops the bytes not lent to the kernel (a truncate or a detach); bytes in flight stay. */
    public abstract void discardUnsent();

    /** Keeps a write's failure for the next operation to report; the output is broken for good. */
    public final void writeFailed(IOException cause) {
        failure = cause;
    }

    /** Whether a write has failed: nothing more will reach the kernel. */
    public final boolean hasWriteFailure() {
        return failure != null;
    }

    /** The failure {@link #writeFailed} kept, or {@code null}. */
    public final IOException writeFailure() {
        return failure;
    }
}
