package dev.adaptiveio.core.worker;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.adaptiveio.core.loop.NativeIoThread;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * What makes an engine an engine: its I/O threads and its TCP servers. Everything else (the
 * worker, the loop, timers, XNIO semantics of connections, detach/adopt) is shared.
 */
public interface Engine {

    /** The engine's name as users see it: {@code epoll} or {@code io_uring}. */
    String name();

    /** Creates (does not start) I/O thread number {@code index} of {@code worker}. */
    NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                               long stackSize) throws IOException;

    /**
     * Creates a TCP server whose connections are spread over {@code threads}, starting with
     * accepts suspended.
     */
    AcceptingChannel<StreamConnection> createTcpServer(NativeXnioWorker worker, NativeIoThread[] threads,
                                                       InetSocketAddress bindAddress,
                                                       ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener,
                                                       OptionMap optionMap) throws IOException;
}
