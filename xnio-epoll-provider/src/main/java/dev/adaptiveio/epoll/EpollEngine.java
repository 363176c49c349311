package dev.adaptiveio.epoll;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnioWorker;

/** The epoll engine: its threads and its servers. */
public final class EpollEngine implements Engine {

    public static final EpollEngine INSTANCE = new EpollEngine();

    private EpollEngine() {
    }

    @Override
    public EngineId id() {
        return EngineId.EPOLL;
    }

    @Override
    public NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                                      long stackSize) {
        return new EpollIoThread(worker, index, threadName, group, stackSize);
    }

    @Override
    public Acceptor newAcceptor(NativeTcpServer server, NativeIoThread thread) {
        return new EpollAcceptor(server, (EpollIoThread) thread);
    }
}
