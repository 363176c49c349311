package dev.adaptiveio.core.worker;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.net.SocketAddress;

import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.NativeTcpServer;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.FailedIoFuture;
import org.xnio.FutureResult;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.BoundChannel;

/**
 * XNIO's {@code acceptStreamConnection}: a {@link NativeTcpServer} (TCP or UNIX domain) that one
 * I/O thread watches, closed after its first connection. It binds and listens before the call
 * returns, and the bind listener runs on the caller's thread, as with NIO, so the caller knows the
 * address to hand to its peer at once.
 */
final class SingleAccept {

    private SingleAccept() {
    }

    static IoFuture<StreamConnection> start(NativeXnioWorker worker, NativeIoThread thread, SocketAddress bindAddress,
            ChannelListener<? super StreamConnection> openListener, ChannelListener<? super BoundChannel> bindListener,
            OptionMap options) {
        if (worker.isShutdown()) {
            return new FailedIoFuture<>(CoreLogger.LOG.workerShutDown(worker.getName()));
        }
        NativeTcpServer server;
        try {
            server = new NativeTcpServer(worker, bindAddress, options);
        } catch (IOException e) {
            return new FailedIoFuture<>(e);
        }
        FutureResult<StreamConnection> result = new FutureResult<>(thread);
        server.getAcceptSetter().set(ch -> {
            StreamConnection connection;
            try {
                connection = ch.accept();
            } catch (IOException e) {
                result.setException(e);
                IoUtils.safeClose(server);
                return;
            }
            if (connection == null) {
                return;
            }
            // The result first: closing the server ends a future still waiting as cancelled.
            boolean taken = result.setResult(connection);
            IoUtils.safeClose(server);
            if (taken) {
                ChannelListeners.invokeChannelListener(connection, openListener);
            } else {
                IoUtils.safeClose(connection);
            }
        });
        // Closed without a connection (cancel, the worker shutting down): the future ends
        // cancelled, as NIO's does.
        server.onClose(result::setCancelled);
        result.addCancelHandler(() -> {
            if (result.setCancelled()) {
                IoUtils.safeClose(server);
            }
            return null;
        });
        boolean ok = false;
        try {
            if (bindListener != null) {
                ChannelListeners.invokeChannelListener(server, bindListener);
            }
            server.addAcceptors(new NativeIoThread[] {thread}, t -> worker.engineOf(t).newAcceptor(server, t));
            server.resumeAccepts();
            ok = true;
        } catch (RejectedExecutionException e) {
            result.setException(CoreLogger.LOG.workerShutDown(worker.getName()));
        } finally {
            if (!ok) {
                IoUtils.safeClose(server);
            }
        }
        return result.getIoFuture();
    }
}
