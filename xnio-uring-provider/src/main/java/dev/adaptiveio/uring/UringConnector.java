package dev.adaptiveio.uring;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.FutureResult;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.BoundChannel;

/**
 * One outbound TCP connect: a non-blocking {@code connect}, then a POLL_ADD for POLLOUT (readiness
 * without data) and {@code SO_ERROR} tell how it went. Runs on its I/O thread.
 */
final class UringConnector implements CompletionListener {

    private final UringIoThread thread;
    private final InetSocketAddress bindAddress;
    private final InetSocketAddress destination;
    private final ChannelListener<? super StreamConnection> openListener;
    private final ChannelListener<? super BoundChannel> bindListener;
    private final OptionMap options;
    private final FutureResult<StreamConnection> result;
    private NativeSocket socket;
    private RingHandle handle;
    private boolean connected;

    UringConnector(UringIoThread thread, InetSocketAddress bindAddress, InetSocketAddress destination,
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
        result.addCancelHandler(() -> {
            try {
                thread.runOnThread(this::cancel);
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // the thread is gone, and the connect with it
            }
            return null;
        });
        try {
            thread.runOnThread(this::connect);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.setException(new IOException("I/O thread " + thread.getName() + " is shut down", e));
        }
        return result.getIoFuture();
    }

    private void connect() {
        if (result.getIoFuture().getStatus() != IoFuture.Status.WAITING) {
            return;
        }
        try {
            socket = NativeSocket.openStream();
            socket.applyClientOptions(options);
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
            if (res == -UringConstants.ECANCELED) {
                return;
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

    private void cancel() {
        if (result.setCancelled()) {
            if (handle != null) {
                handle.cancelAll();
                handle.release(false);
            } else {
                closeSocket();
            }
        }
    }

    private void closeSocket() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
            }
            socket = null;
        }
    }
}
