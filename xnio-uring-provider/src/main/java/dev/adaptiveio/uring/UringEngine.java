package dev.adaptiveio.uring;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.RingConfig;
import dev.adaptiveio.core.natives.uring.UringFeature;
import dev.adaptiveio.core.natives.uring.UringViability;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/** The io_uring engine: its threads (one ring each) and its servers. */
final class UringEngine implements Engine {

    static final String RECV_BUFFER_PROPERTY = "adaptiveio.io_uring.recvBufferSize";
    static final int DEFAULT_RECV_BUFFER = 8192;
    static final String MULTISHOT_ACCEPT_PROPERTY = "adaptiveio.io_uring.multishotAccept";

    private final RingConfig ringConfig;
    private final int recvBufferSize;
    private final boolean multishotAccept;

    UringEngine(RingConfig ringConfig, int recvBufferSize, UringViability viability) {
        if (recvBufferSize < 512 || recvBufferSize > (1 << 20)) {
            throw new IllegalArgumentException("io_uring receive buffer size " + recvBufferSize + " outside 512..1048576");
        }
        this.ringConfig = ringConfig;
        this.recvBufferSize = recvBufferSize;
        String multishot = System.getProperty(MULTISHOT_ACCEPT_PROPERTY);
        this.multishotAccept = viability.features().contains(UringFeature.ACCEPT_MULTISHOT)
                && (multishot == null || Boolean.parseBoolean(multishot));
    }

    @Override
    public String name() {
        return UringXnio.NAME;
    }

    RingConfig ringConfig() {
        return ringConfig;
    }

    int recvBufferSize() {
        return recvBufferSize;
    }

    boolean multishotAccept() {
        return multishotAccept;
    }

    @Override
    public NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                                      long stackSize) {
        return new UringIoThread(worker, index, threadName, group, stackSize, this);
    }

    @Override
    public dev.adaptiveio.core.server.Acceptor newAcceptor(dev.adaptiveio.core.server.NativeTcpServer server,
                                                           NativeIoThread thread) {
        return new UringAcceptor(server, (UringIoThread) thread, multishotAccept);
    }

    @Override
    public AcceptingChannel<StreamConnection> createTcpServer(NativeXnioWorker worker, NativeIoThread[] threads,
            InetSocketAddress bindAddress, ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener,
            OptionMap optionMap) throws IOException {
        UringIoThread[] uringThreads = new UringIoThread[threads.length];
        for (int i = 0; i < threads.length; i++) {
            uringThreads[i] = (UringIoThread) threads[i];
        }
        UringTcpServer server = new UringTcpServer(worker, uringThreads, bindAddress, optionMap, multishotAccept);
        server.getAcceptSetter().set(acceptListener);
        return server;
    }
}
