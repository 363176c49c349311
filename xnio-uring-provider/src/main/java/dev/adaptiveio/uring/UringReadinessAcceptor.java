package dev.adaptiveio.uring;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;
import org.xnio.XnioExecutor;

/**
 * A shared listening socket on one io_uring thread in readiness mode
 * ({@code -Dadaptiveio.io_uring.acceptMode=readiness}): a POLL_ADD (multishot where the kernel
 * has it) on the listening socket is armed while the server lets this thread accept, and the
 * accept listener takes connections with {@code accept4} on this thread, after the poll reported
 * one. Unlike an ACCEPT op, which binds a connection to a ring even while its thread is busy in
 * a handler, only a thread that is running takes connections; what it does not take stays in the
 * backlog for the other threads (or the other engine).
 */
final class UringReadinessAcceptor implements Acceptor, CompletionListener, FlushTarget {

    private static final long RETRY_MILLIS = 100;
    private static final int POLL_TAG = 0;
    private static final ThreadLocal<byte[]> ADDRESS_SCRATCH = ThreadLocal.withInitial(() -> new byte[26]);

    private final NativeTcpServer server;
    private final UringIoThread thread;
    private final boolean multishot;
    private final java.io.Closeable closeOnShutdown = this::close;
    private RingHandle handle;
    private boolean pollArmed;
    /** The poll reported a connection and {@code accept4} has not yet found the backlog empty. */
    private boolean pending;
    /** {@link #accept()} on this thread returned a connection since the flag was cleared. */
    private boolean tookOne;
    private boolean flushScheduled;
    private boolean closed;
    private XnioExecutor.Key retry;

    UringReadinessAcceptor(NativeTcpServer server, UringIoThread thread, boolean multishot) {
        this.server = server;
        this.thread = thread;
        this.multishot = multishot;
    }

    @Override
    public UringIoThread thread() {
        return thread;
    }

    @Override
    public void open() throws IOException {
        handle = thread.ring().register(server.listenFd(), this);
        thread.track(closeOnShutdown);
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

    private void arm() {
        if (handle == null || closed) {
            return;
        }
        if (server.isAccepting(this)) {
            if (!pollArmed && retry == null) {
                pollArmed = handle.pollAdd(UringConstants.POLLIN, multishot, POLL_TAG);
            }
        } else if (pollArmed) {
            handle.cancel(Op.POLL, POLL_TAG);
        }
    }

    @Override
    public NativeStreamConnection accept() throws IOException {
        // Also called from other threads (a blocking accept after awaitAcceptable): the flags
        // belong to this acceptor's thread.
        boolean own = thread.inThisThread();
        int fd = server.listenSocket().accept(ADDRESS_SCRATCH.get());
        if (fd < 0) {
            if (own) {
                pending = false;
            }
            return null;
        }
        if (own) {
            tookOne = true;
        }
        NativeSocket socket = server.wrapAccepted(fd);
        try {
            return new UringStreamConnection(thread, new ConnectionCore(socket, null, null));
        } catch (Throwable t) {
            socket.close();
            throw t;
        }
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        if (kind != Op.POLL) {
            return;
        }
        if (!UringConstants.hasMore(flags)) {
            pollArmed = false;
        }
        if (result > 0) {
            pending = true;
        } else if (result < 0 && result != -UringConstants.ECANCELED && !closed && server.isOpen()) {
            UringLogger.LOG.acceptFailed(new IOException("poll failed: " + UringConstants.errnoName(-result)), server);
            if (retry == null) {
                retry = thread.executeAfter(() -> {
                    retry = null;
                    update();
                }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        // Listener calls and re-arming happen at the end of the iteration.
        scheduleFlush();
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            thread.scheduleFlush(this);
        }
    }

    /**
     * End of the iteration. A multishot poll reports new connections, not a non-empty backlog:
     * keep calling the listener while it takes connections, until {@code accept4} finds none.
     */
    @Override
    public void flushGathered() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        while (pending && server.isAccepting(this)) {
            tookOne = false;
            // Wakes awaitAcceptable() callers; runs the listener while accepts are resumed.
            server.acceptReady(this);
            if (!tookOne) {
                break;
            }
        }
        arm();
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        thread.untrack(closeOnShutdown);
        server.acceptorClosed(this);
    }

    @Override
    public void onRingClosing(RingHandle h) {
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (retry != null) {
            retry.remove();
            retry = null;
        }
        if (handle == null) {
            thread.untrack(closeOnShutdown);
            server.acceptorClosed(this);
        } else {
            handle.cancelAll();
            handle.release(false);
        }
    }
}
