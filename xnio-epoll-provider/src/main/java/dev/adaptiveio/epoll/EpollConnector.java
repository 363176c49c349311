package dev.adaptiveio.epoll;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.RejectedExecutionException;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollKey;
import dev.adaptiveio.core.natives.epoll.EpollListener;
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
 * One outbound TCP connect: a non-blocking {@code connect}, then EPOLLOUT and
 * {@code SO_ERROR} tell how it went. Runs on its I/O thread.
 */
final class EpollConnector implements EpollListener {

    private final EpollIoThread thread;
    private final SocketAddress bindAddress;
    private final SocketAddress destination;
    private final ChannelListener<? super StreamConnection> openListener;
    private final ChannelListener<? super BoundChannel> bindListener;
    private final OptionMap options;
    private final FutureResult<StreamConnection> result;
    private final Closeable closeOnShutdown = this::shutDown;
    private NativeSocket socket;
    private EpollKey key;

    EpollConnector(EpollIoThread thread, SocketAddress bindAddress, SocketAddress destination,
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
                    thread.runOnThread(this::closeSocket);
                } catch (RejectedExecutionException gone) {
                    // the thread has ended, and closed what it tracked on the way out
                }
            }
            return null;
        });
        try {
            thread.runOnThread(this::connect);
        } catch (RejectedExecutionException e) {
            result.setException(new ClosedWorkerException(e.getMessage()));
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
                // Edge-triggered, yet no completion is missed: EPOLL_CTL_ADD reports a connect
                // that completed before it, and each later change raises its own edge.
                key = thread.epoll().register(socket.fd(), EpollFlags.OUT | EpollFlags.ET, this);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void onEpollEvents(int readyOps) {
        if (socket == null) {
            return; // cancelled or closed at shutdown since this batch of events was read
        }
        try {
            if (socket.finishConnect()) {
                key.cancel();
                key = null;
                connected();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private void connected() throws IOException {
        ConnectionCore core = new ConnectionCore(socket, null, destination);
        core.readTimeoutMillis(options.get(Options.READ_TIMEOUT, 0));
        core.writeTimeoutMillis(options.get(Options.WRITE_TIMEOUT, 0));
        EpollStreamConnection connection = new EpollStreamConnection(thread, core);
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
        closeSocket();
        result.setException(e);
    }

    /** The worker shuts down with this connect pending: it ends cancelled, as on NIO. */
    private void shutDown() {
        result.setCancelled();
        closeSocket();
    }

    private void closeSocket() {
        thread.untrack(closeOnShutdown);
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
            }
            socket = null;
        }
    }
}
