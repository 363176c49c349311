package dev.adaptiveio.uring;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeIoException;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;
import org.xnio.XnioExecutor;

/**
 * What both io_uring acceptors share: the listening socket registered on the thread's ring, one op
 * on it (ACCEPT or POLL_ADD) armed while the server lets this thread accept and cancelled when it
 * does not, a back-off after a failed op, listener calls at the end of the loop iteration, and the
 * close protocol (cancel everything, release when the ring says the socket is no longer used).
 */
abstract class UringListenerAcceptor implements Acceptor, CompletionListener, FlushTarget {

    private static final long RETRY_MILLIS = 100;
    private static final int TAG = 0;

    final NativeTcpServer server;
    final UringIoThread thread;
    final boolean multishot;
    private final Closeable closeOnShutdown = this::close;
    private final int opKind;
    private RingHandle handle;
    private boolean armed;
    private boolean flushScheduled;
    boolean closed;
    private XnioExecutor.Key retry;

    UringListenerAcceptor(NativeTcpServer server, UringIoThread thread, boolean multishot, int opKind) {
        this.server = server;
        this.thread = thread;
        this.multishot = multishot;
        this.opKind = opKind;
    }

    /** Submits this acceptor's op on the listening socket; whether it is now armed. */
    abstract boolean submit(RingHandle handle, int tag);

    /** End of the iteration: the listener calls this acceptor's completions asked for. */
    abstract void deliver();

    @Override
    public final UringIoThread thread() {
        return thread;
    }

    @Override
    public final void open() throws IOException {
        handle = thread.ring().register(server.listenFd(), this);
        thread.track(closeOnShutdown);
    }

    /** Arms the op while the server lets this thread accept (not while backing off), cancels it otherwise. */
    final void arm() {
        if (handle == null || closed) {
            return;
        }
        if (server.isAccepting(this)) {
            if (!armed && retry == null) {
                armed = submit(handle, TAG);
            }
        } else if (armed) {
            handle.cancel(opKind, TAG);
        }
    }

    /**
     * Bookkeeping common to every completion of the op: a single-shot or finished multishot op is
     * no longer armed; a failure (EMFILE, ENFILE, ENOBUFS...) is logged and the op re-armed after a
     * back-off instead of spinning. Listener calls and re-arming happen at the end of the iteration.
     */
    final void completed(int result, int flags, String what) {
        if (!UringConstants.hasMore(flags)) {
            armed = false;
        }
        if (result < 0 && result != -UringConstants.ECANCELED && !closed && server.isOpen()) {
            UringLogger.LOG.acceptFailed(NativeIoException.ofResult(what, result), server);
            if (retry == null) {
                retry = thread.executeAfter(() -> {
                    retry = null;
                    update();
                }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        scheduleFlush();
    }

    final void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            thread.scheduleFlush(this);
        }
    }

    @Override
    public final void flushGathered() {
        flushScheduled = false;
        if (!closed) {
            deliver();
        }
    }

    /** The connection for an fd accepted on this thread; the fd is closed if that fails, whatever the failure. */
    final NativeStreamConnection connectionFor(int fd) throws IOException {
        NativeSocket socket = server.wrapAccepted(fd);
        try {
            return new UringStreamConnection(thread, new ConnectionCore(socket, null, null));
        } catch (Throwable t) {
            socket.close();
            throw t;
        }
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        thread.untrack(closeOnShutdown);
        server.acceptorClosed(this);
    }

    @Override
    public final void onRingClosing(RingHandle h) {
        close();
    }

    @Override
    public final void close() {
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
