package dev.adaptiveio.uring;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.ClosedWorkerException;
import org.xnio.FailedIoFuture;
import org.xnio.FutureResult;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.BoundChannel;

/**
 * One outbound connect (TCP, or UNIX domain for a {@link org.xnio.LocalSocketAddress}): a
 * non-blocking {@code connect}, then a POLL_ADD for POLLOUT (readiness without data) and
 * {@code SO_ERROR} tell how it went. Runs on its I/O thread.
 */
final class UringConnector implements CompletionListener {

    private final UringIoThread thread;
    private final SocketAddress bindAddress;
    private final SocketAddress destination;
    private final ChannelListener<? super StreamConnection> openListener;
    private final ChannelListener<? super BoundChannel> bindListener;
    private final OptionMap options;
    private final FutureResult<StreamConnection> result;
    private final Closeable closeOnShutdown = this::shutDown;
    private NativeSocket socket;
    private RingHandle handle;
    private boolean connected;

    UringConnector(UringIoThread thread, SocketAddress bindAddress, SocketAddress destination,
                   ChannelListener<? super StreamConnection> openListener,
                   ChannelListener<? super BoundChannel> bindListener, OptionMap options) {
        this.thread = thread;
        this.bindAddress = bindAddress;
        this.destination = destination;
        this.openListener = openListener;
        this.bindListener = bindListener;
        this.options = options;
        this.result = new FutureResult<>(thread);
    }

    IoFuture<StreamConnection> start() {
        if (thread.getWorker().isShutdown()) {
            // As NIO: a shut-down worker fails the future instead of throwing.
            return new FailedIoFuture<>(new ClosedWorkerException(
                    "Worker " + thread.getWorker().getName() + " is shut down"));
        }
        result.addCancelHandler(() -> {
            // CANCELLED at once, as NIO reports it; the socket is the I/O thread's to close.
            if (result.setCancelled()) {
                try {
                    thread.runOnThread(this::abandon);
                } catch (RejectedExecutionException gone) {
                    // the thread has ended, and closed what it tracked on the way out
                }
            }
            return null;
        });
        try {
            thread.runOnThread(this::connect);
        } catch (RejectedExecutionException e) {
            result.setException(new IOException("I/O thread " + thread.getName() + " is shut down", e));
        }
        return result.getIoFuture();
    }

    private void connect() {
        if (result.getIoFuture().getStatus() != IoFuture.Status.WAITING) {
            return;
        }
        try {
            boolean domain = destination instanceof LocalSocketAddress;
            socket = domain ? NativeSocket.openDomain() : NativeSocket.openStream();
            thread.track(closeOnShutdown);
            if (!domain) {
                socket.applyClientOptions(options);
            }
            if (bindAddress != null) {
                socket.bind(bindAddress);
            }
            if (socket.connect(destination)) {
                connected();
            } else {
                handle = thread.ring().register(socket.fd(), this);
                handle.pollAdd(UringConstants.POLLOUT, false, 0);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int res, int flags) {
        if (kind != Op.POLL) {
            return;
        }
        try {
            if (res == -UringConstants.ECANCELED || socket == null || connected) {
                return; // abandoned (cancel, shutdown): the release under way closes the socket
            }
            if (socket.finishConnect()) {
                // The fd moves to its connection once this handle has let go of it.
                connected = true;
                h.release(false);
            } else {
                h.pollAdd(UringConstants.POLLOUT, false, 0);
            }
        } catch (IOException e) {
            h.release(false);
            fail(e);
        }
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        handle = null;
        if (connected) {
            try {
                connected();
            } catch (IOException e) {
                fail(e);
            }
        } else {
            closeSocket();
        }
    }

    private void connected() throws IOException {
        ConnectionCore core = new ConnectionCore(socket, null, destination);
        core.readTimeoutMillis(options.get(Options.READ_TIMEOUT, 0));
        core.writeTimeoutMillis(options.get(Options.WRITE_TIMEOUT, 0));
        UringStreamConnection connection = new UringStreamConnection(thread, core);
        socket = null;
        thread.untrack(closeOnShutdown);
        if (!result.setResult(connection)) {
            IoUtils.safeClose(connection);
            return;
        }
        if (bindListener != null) {
            ChannelListeners.invokeChannelListener(connection, bindListener);
        }
        ChannelListeners.invokeChannelListener(connection, openListener);
    }

    private void fail(IOException e) {
        if (handle == null) {
            closeSocket();
        }
        result.setException(e);
    }

    /** The worker shuts down with this connect pending: it ends cancelled, as on NIO. */
    private void shutDown() {
        result.setCancelled();
        abandon();
    }

    /**
     * Drops the connect after cancel or at shutdown: the POLL_ADD is cancelled and the handle
     * released first (the kernel may still refer to the fd), then {@link #onReleased} closes the
     * socket. A connect that already succeeded ({@code connected}) ends in {@link #connected()},
     * which closes the connection nobody will take.
     */
    private void abandon() {
        if (handle != null) {
            if (!connected && handle.isActive()) {
                handle.cancelAll();
                handle.release(false);
            }
        } else {
            closeSocket();
        }
    }

    private void closeSocket() {
        thread.untrack(closeOnShutdown);
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
            }
            socket = null;
        }
    }
}
