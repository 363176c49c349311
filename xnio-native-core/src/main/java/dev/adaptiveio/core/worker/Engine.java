package dev.adaptiveio.core.worker;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * What makes an engine an engine: its I/O threads and its TCP servers. Everything else (the
 * worker, the loop, timers, XNIO semantics of connections, detach/adopt) is shared.
 */
public interface Engine {

    /** Which engine this is. */
    EngineId id();

    /** The engine's name as users see it: {@code epoll} or {@code io_uring}. */
    default String name() {
        return id().providerName();
    }

    /** Creates (does not start) I/O thread number {@code index} of {@code worker}. */
    NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                               long stackSize) throws IOException;

    /**
     * Creates the acceptor through which {@code thread} (one of this engine's) accepts the
     * connections of {@code server}.
     */
    default Acceptor newAcceptor(NativeTcpServer server, NativeIoThread thread) {
        throw new UnsupportedOperationException("The " + name() + " engine cannot share a listening socket");
    }

    /**
     * Creates a TCP server whose connections are spread over {@code threads}, starting with
     * accepts suspended.
     */
    default AcceptingChannel<StreamConnection> createTcpServer(NativeXnioWorker worker, NativeIoThread[] threads,
            InetSocketAddress bindAddress, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener,
            OptionMap optionMap) throws IOException {
        NativeTcpServer server = new NativeTcpServer(worker, bindAddress, optionMap);
        server.getAcceptSetter().set(acceptListener);
        server.addAcceptors(threads, thread -> newAcceptor(server, thread));
        return server;
    }
}
