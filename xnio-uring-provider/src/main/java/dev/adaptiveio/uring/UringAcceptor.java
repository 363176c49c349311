package dev.adaptiveio.uring;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * A shared listening socket on one io_uring thread: an ACCEPT (multishot where the kernel has
 * it) is armed while the server lets this thread accept, and cancelled when it does not (for
 * example when the {@code adaptive} provider moves accepting to epoll: connections the kernel
 * has not handed out stay in the backlog for the other engine). Fds the ring accepted before a
 * cancel took effect are still delivered, never dropped. The default accept mode ({@code ring});
 * see {@link UringReadinessAcceptor} for {@code readiness}.
 */
final class UringAcceptor implements Acceptor, CompletionListener, FlushTarget {

    private static final long RETRY_MILLIS = 100;

    private final NativeTcpServer server;
    private final UringIoThread thread;
    private final boolean multishot;
    /** Fds the ring accepted; taken on this thread, or by a blocking accept() on another. */
    private final ConcurrentLinkedQueue<Integer> accepted = new ConcurrentLinkedQueue<>();
    private final java.io.Closeable closeOnShutdown = this::close;
    private RingHandle handle;
    private boolean armed;
    private boolean deliveryScheduled;
    private boolean closed;
    private XnioExecutor.Key retry;

    UringAcceptor(NativeTcpServer server, UringIoThread thread, boolean multishot) {
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
        if (handle == null || closed) {
            return;
        }
        if (server.isAccepting(this)) {
            if (!armed && retry == null) {
                armed = handle.accept(multishot, 0);
            }
        } else if (armed) {
            handle.cancel(Op.ACCEPT, 0);
        }
        if (!accepted.isEmpty()) {
            scheduleDelivery();
        }
    }

    @Override
    public NativeStreamConnection accept() throws IOException {
        Integer fd = accepted.poll();
        if (fd == null) {
            return null;
        }
        NativeSocket socket = server.wrapAccepted(fd);
        try {
            return new UringStreamConnection(thread, new ConnectionCore(socket, null, null));
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        if (kind != Op.ACCEPT) {
            return;
        }
        if (!UringConstants.hasMore(flags)) {
            armed = false;
        }
        if (result >= 0) {
            if (closed || !server.isOpen()) {
                closeFd(result);
            } else {
                accepted.add(result);
            }
        } else if (result != -UringConstants.ECANCELED && !closed && server.isOpen()) {
            // EMFILE, ENFILE, ENOBUFS...: back off instead of spinning.
            UringLogger.LOG.acceptFailed(new IOException("accept failed: " + UringConstants.errnoName(-result)), server);
            if (retry == null) {
                retry = thread.executeAfter(() -> {
                    retry = null;
                    update();
                }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        // Listener calls and re-arming happen at the end of the iteration.
        scheduleDelivery();
    }

    private void scheduleDelivery() {
        if (!deliveryScheduled) {
            deliveryScheduled = true;
            thread.scheduleFlush(this);
        }
    }

    /** End of the iteration: one accept-listener call per accepted fd, as many as are taken. */
    @Override
    public void flushGathered() {
        deliveryScheduled = false;
        if (closed) {
            return;
        }
        while (!accepted.isEmpty() && server.isAcceptResumed() && server.isOpen()) {
            int before = accepted.size();
            server.deliverAccepted(this);
            if (accepted.size() >= before) {
                break;
            }
        }
        update();
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        Integer fd;
        while ((fd = accepted.poll()) != null) {
            closeFd(fd);
        }
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

    private static void closeFd(int fd) {
        try {
            NativeSocket.wrap(fd).close();
        } catch (IOException ignored) {
            // nobody saw it
        }
    }
}
