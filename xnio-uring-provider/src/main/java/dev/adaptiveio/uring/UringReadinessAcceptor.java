package dev.adaptiveio.uring;

import java.io.IOException;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import dev.adaptiveio.core.server.NativeTcpServer;

/**
 * A shared listening socket on one io_uring thread in readiness mode
 * ({@code -Dadaptiveio.io_uring.acceptMode=readiness}): a POLL_ADD (multishot where the kernel
 * has it) on the listening socket is armed while the server lets this thread accept, and the
 * accept listener takes connections with {@code accept4} on this thread, after the poll reported
 * one. Unlike an ACCEPT op, which binds a connection to a ring even while its thread is busy in
 * a handler, only a thread that is running takes connections; what it does not take stays in the
 * backlog for the other threads (or the other engine).
 */
final class UringReadinessAcceptor extends UringListenerAcceptor {


    /** The poll reported a connection and {@code accept4} has not yet found the backlog empty. */
    private boolean pending;

    UringReadinessAcceptor(NativeTcpServer server, UringIoThread thread, boolean multishot) {
        super(server, thread, multishot, Op.POLL);
    }

    @Override
    boolean submit(RingHandle handle, int tag) {
        return handle.pollAdd(UringConstants.POLLIN, multishot, tag);
    }

    @Override
    public void update() {
        arm();
        // A connection reported while nobody accepted (suspended, over the limit) is taken now;
        // an awaitAcceptable() caller is woken by the same flush.
        if (pending && server.isAccepting(this)) {
            scheduleFlush();
        }
    }

    @Override
    public NativeStreamConnection accept() throws IOException {
        int fd = server.acceptFd();
        if (fd < 0) {
            // Also called from other threads (a blocking accept after awaitAcceptable): the flag
            // belongs to this acceptor's thread.
            if (thread.inThisThread()) {
                pending = false;
            }
            return null;
        }
        return connectionFor(fd);
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        if (kind != Op.POLL) {
            return;
        }
        if (result > 0) {
            pending = true;
        }
        completed(result, flags, "poll");
    }

    /**
     * End of the iteration. A multishot poll reports new connections, not a non-empty backlog:
     * the listener runs again while it takes connections, until {@code accept4} finds none.
     */
    @Override
    void deliver() {
        if (pending && server.isAccepting(this)) {
            server.acceptReady(this, Integer.MAX_VALUE);
        }
        arm();
    }
}
