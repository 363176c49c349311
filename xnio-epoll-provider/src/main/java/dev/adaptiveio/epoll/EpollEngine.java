package dev.adaptiveio.epoll;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/** The epoll engine: its threads and its servers. */
public final class EpollEngine implements Engine {

    public static final EpollEngine INSTANCE = new EpollEngine();

    private EpollEngine() {
    }

    @Override
    public String name() {
        return EpollXnio.NAME;
    }

    @Override
    public NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                                      long stackSize) {
        return new EpollIoThread(worker, index, threadName, group, stackSize);
    }

    @Override
    public AcceptingChannel<StreamConnection> createTcpServer(NativeXnioWorker worker, NativeIoThread[] threads,
            InetSocketAddress bindAddress, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener,
            OptionMap optionMap) throws IOException {
        EpollIoThread[] epollThreads = new EpollIoThread[threads.length];
        for (int i = 0; i < threads.length; i++) {
            epollThreads[i] = (EpollIoThread) threads[i];
        }
        EpollTcpServer server = new EpollTcpServer(worker, epollThreads, bindAddress, optionMap);
        server.getAcceptSetter().set(acceptListener);
        return server;
    }
}
