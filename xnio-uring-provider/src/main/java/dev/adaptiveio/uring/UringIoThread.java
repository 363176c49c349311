package dev.adaptiveio.uring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.ConnectionAdopter;
import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.IoPoller;
import dev.adaptiveio.core.natives.uring.Ring;
import dev.adaptiveio.core.natives.uring.UringMemory;
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

/**
 * An I/O thread whose loop waits in {@code io_uring_enter}: everything its connections queued
 * during an iteration is submitted by the same call that waits for the next completions.
 */
public final class UringIoThread extends NativeIoThread implements ConnectionAdopter {

    private static final int RECV_POOL_LIMIT = Integer.getInteger("adaptiveio.io_uring.recvPool", 1024);

    private final UringEngine engine;
    private final ArrayDeque<ByteBuffer> recvPool = new ArrayDeque<>();
    private Ring ring;

    UringIoThread(NativeXnioWorker worker, int number, String name, ThreadGroup group, long stackSize,
                  UringEngine engine) {
        super(worker, number, EngineId.IO_URING, name, group, stackSize);
        this.engine = engine;
    }

    @Override
    protected IoPoller createPoller() throws IOException {
        ring = Ring.open(this, this, engine.ringConfig());
        return ring;
    }

    /** This thread's ring; I/O thread only. */
    public Ring ring() {
        return ring;
    }

    UringEngine engine() {
        return engine;
    }

    // ---- receive buffers: taken and returned on this thread only

    ByteBuffer takeRecvBuffer() {
        ByteBuffer b = recvPool.pollLast();
        return b != null ? b : UringMemory.allocateDirect(engine.recvBufferSize());
    }

    void returnRecvBuffer(ByteBuffer b) {
        if (recvPool.size() < RECV_POOL_LIMIT) {
            b.clear();
            recvPool.addLast(b);
        } else {
            UringMemory.free(b);
        }
    }

    // ---- connections

    @Override
    public UringStreamConnection adopt(DetachedConnection detached) throws IOException {
        if (!inThisThread()) {
            throw new IllegalStateException("adopt must run on " + getName());
        }
        ConnectionCore core = detached.adoptBy(EngineId.IO_URING);
        return new UringStreamConnection(this, core);
    }

    @Override
    protected IoFuture<StreamConnection> openTcpStreamConnection(InetSocketAddress bindAddress,
            InetSocketAddress destinationAddress, ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return new UringConnector(this, bindAddress, destinationAddress, openListener, bindListener, optionMap).start();
    }

    @Override
    protected IoFuture<StreamConnection> openLocalStreamConnection(LocalSocketAddress bindAddress,
            LocalSocketAddress destinationAddress, ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return new UringConnector(this, bindAddress, destinationAddress, openListener, bindListener, optionMap).start();
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
