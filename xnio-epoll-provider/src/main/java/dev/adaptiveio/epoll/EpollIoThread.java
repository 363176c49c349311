package dev.adaptiveio.epoll;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.ConnectionAdopter;
import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.IoPoller;
import dev.adaptiveio.core.natives.epoll.EpollPoller;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.xnio.ChannelListener;
import org.xnio.ChannelPipe;
import org.xnio.IoFuture;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoFactory;
import org.xnio.channels.BoundChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/** An I/O thread whose loop waits in {@code epoll_wait}. */
public final class EpollIoThread extends NativeIoThread implements ConnectionAdopter {

    /** Ready connections per send of their gathered output (see {@link #flushChunk()}). */
    static final int FLUSH_CHUNK = 64;

    private EpollPoller epoll;
    /** This thread's arrays for one-buffer writes and for gathered output plus the caller's. */
    private final ByteBuffer[] singleScratch = new ByteBuffer[1];
    private final ByteBuffer[] sendScratch = new ByteBuffer[17];

    EpollIoThread(NativeXnioWorker worker, int number, String name, ThreadGroup group, long stackSize) {
        super(worker, number, EngineId.EPOLL, name, group, stackSize);
    }

    /**
     * A gathered send is a {@code write} made right there: with hundreds of connections ready in
     * one iteration, the first response would otherwise wait for all of them (at 1,024
     * connections and a fixed rate, p99 57-111 ms and the rate missed in 3 of 5 rounds).
     */
    @Override
    protected int flushChunk() {
        return FLUSH_CHUNK;
    }

    @Override
    protected IoPoller createPoller() throws IOException {
        epoll = new EpollPoller(this, this);
        return epoll;
    }

    EpollPoller epoll() {
        return epoll;
    }

    /** For this thread only; the caller empties it after use (no buffer stays reachable). */
    ByteBuffer[] singleScratch() {
        return singleScratch;
    }

    /** For this thread only; the caller empties it after use. */
    ByteBuffer[] sendScratch() {
        return sendScratch;
    }

    @Override
    public EpollStreamConnection adopt(DetachedConnection detached) throws IOException {
        if (!inThisThread()) {
            throw new IllegalStateException("adopt must run on " + getName());
        }
        ConnectionCore core = detached.adoptBy(EngineId.EPOLL);
        return new EpollStreamConnection(this, core);
    }

    @Override
    protected IoFuture<StreamConnection> openTcpStreamConnection(InetSocketAddress bindAddress,
            InetSocketAddress destinationAddress, ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return new EpollConnector(this, bindAddress, destinationAddress, openListener, bindListener, optionMap).start();
    }

    @Override
    protected IoFuture<StreamConnection> openLocalStreamConnection(LocalSocketAddress bindAddress,
            LocalSocketAddress destinationAddress, ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return new EpollConnector(this, bindAddress, destinationAddress, openListener, bindListener, optionMap).start();
    }

    // Pipes are not on the hot path: XNIO's NIO implementation serves them.

    @Override
    public ChannelPipe<StreamConnection, StreamConnection> createFullDuplexPipeConnection(XnioIoFactory peer)
            throws IOException {
        return NativeXnioWorker.of(this).fallbackWorker().getIoThread().createFullDuplexPipeConnection();
    }

    @Override
    public ChannelPipe<StreamSourceChannel, StreamSinkChannel> createHalfDuplexPipe(XnioIoFactory peer)
            throws IOException {
        return NativeXnioWorker.of(this).fallbackWorker().getIoThread().createHalfDuplexPipe();
    }
}
