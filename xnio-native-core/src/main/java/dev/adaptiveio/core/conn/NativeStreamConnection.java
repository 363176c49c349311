package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The XNIO side of a native TCP connection, shared by every engine: the connection is its own
 * source and sink conduit (as XNIO's NIO socket conduit is). {@link DispatchingConnection} holds
 * readiness, dispatch and awaits; this class adds reading and writing through the engine, read
 * and write shutdown, timeouts, options, close, and detaching the connection from its engine.
 * Subclasses move the bytes.
 * <p>
 * End of input is handled as NIO's socket conduit does: the first read that returns -1 shuts
 * reads down ({@link #terminateReads()}), which also suspends them. An EOF stays readable for
 * ever, so a listener left resumed on it would otherwise be called on every loop iteration.
 */
public abstract class NativeStreamConnection extends DispatchingConnection
        implements StreamSourceConduit, StreamSinkConduit {

    private volatile boolean writeShutdownRequested;
    private final IoTimeouts timeouts = new IoTimeouts();
    private volatile ReleaseListener releaseListener;
    private volatile AcceptingChannel<StreamConnection> acceptedBy;
    private volatile Runnable readResumeHook;
    final TrafficCounter traffic = new TrafficCounter();

    protected NativeStreamConnection(NativeIoThread ioThread, ConnectionCore core) {
        super(ioThread, core);
        setSourceConduit(this);
        setSinkConduit(this);
        // A close that waited for another thread's system call finishes on the I/O thread.
        core.servedBy(this::releaseOnThread);
    }

    public final ConnectionCore core() {
        return core;
    }

    public final NativeIoThread nativeIoThread() {
        return ioThread;
    }

    /** The engine that serves this connection. */
    public final EngineId engineId() {
        return ioThread.engineId();
    }

    /** The name of the engine that serves this connection, as users see it. */
    public final String engineName() {
        return ioThread.engineName();
    }

    // =====================================================================================
    // What engines implement

    /** Reads from the kernel (or the engine's completed buffers) into {@code dst}: XNIO results. */
    protected abstract int engineRead(ByteBuffer dst) throws IOException;

    /** Scattering variant of {@link #engineRead(ByteBuffer)}. */
    protected abstract long engineRead(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /** Accepts output; may gather it for the end of the loop iteration. */
    protected abstract long engineWrite(ByteBuffer[] srcs, int offset, int length) throws IOException;

    protected abstract int engineWrite(ByteBuffer src) throws IOException;

    /**
     * Pushes accepted output towards the kernel.
     *
     * @param mustSend {@code true} when the output must have reached the kernel on return
     *                 (before a shutdown or a detach); {@code false} lets output gathered on
     *                 the I/O thread leave at the end of this loop iteration
     * @return {@code true} if nothing the caller must wait for remains: off the I/O thread (and
     *         with {@code mustSend}) only once every byte is in the kernel, sent by the calling
     *         thread without waiting for the I/O thread when nothing is in flight
     */
    protected abstract boolean engineFlush(boolean mustSend) throws IOException;

    /**
     * Sends part of a plain file behind every byte accepted before it (bytes never reorder): under
     * the engine's output lock, the engine puts what is queued into the kernel first
     * ({@link #drainBeforeFile}); when that cannot all go, 0 is returned and the writer waits for
     * write readiness as after any short write. Then {@code sendfile(2)} ({@link FileTransfers#sendFile}),
     * which calls {@link #sendFileFellShort} when it finds the socket full.
     *
     * @return bytes of the file sent
     */
    final long sendFileBehindOutput(FileChannel src, long position, long count) throws IOException {
        PendingOutput out = pendingOutput();
        synchronized (out) {
            checkOutput();
            if (!out.isEmpty() && !drainBeforeFile()) {
                return 0;
            }
            return FileTransfers.sendFile(this, src, position, count);
        }
    }

    /** Output lock held: throws an unseen earlier write failure, or once closing ClosedChannelException. */
    protected final void checkOutput() throws IOException {
        IOException failure = pendingOutput().writeFailure();
        if (failure != null) {
            throw failure;
        }
        if (core.isClosing() || isLeavingEngine()) {
            throw new ClosedChannelException();
        }
    }

    /** Hook: the engine has begun letting the connection go and takes no new output. */
    protected boolean isLeavingEngine() {
        return false;
    }

    /**
     * Puts the queued output into the kernel ahead of a file, with the engine's output lock held.
     * When it cannot all go now, the engine arranges, as after any short write, that the writer
     * hears when it can (write readiness cleared, the wake-up armed) and returns {@code false}.
     *
     * @return {@code true} when nothing queued is left
     */
    protected abstract boolean drainBeforeFile() throws IOException;

    /**
     * A sendfile found the socket full and cleared {@link #writeReady}: arrange to hear when it
     * drains, as after a short write. Called with the engine's output lock and the close guard
     * held, on any thread.
     */
    protected abstract void sendFileFellShort() throws IOException;

    /**
     * Stops the engine from serving this connection and releases what it holds for it; on the
     * I/O thread. When {@code keepFd} is false the engine closes the fd (through
     * {@link ConnectionCore#closeFdIfIdle()}, possibly later); when true the fd stays open and
     * un-shut for another engine, and the engine moves any bytes it read ahead into the core
     * before calling {@code whenReleased}.
     */
    protected abstract void engineRelease(boolean keepFd, Runnable whenReleased);

    /** Hook: reads were resumed (engines that must arm a receive do it here). */
    protected void readsResumed() {
    }

    @Override
    final void resumedReads() {
        readsResumed();
        Runnable hook = readResumeHook;
        if (hook != null && ioThread.inThisThread()) {
            readResumeHook = null;
            hook.run();
        }
    }

    // =====================================================================================
    // Source conduit

    @Override
    public final int read(ByteBuffer dst) throws IOException {
        if (isReadShutdown()) {
            return -1;
        }
        int n;
        try {
            n = core.hasCarried() ? core.drainCarried(dst) : engineRead(dst);
        } catch (IOException e) {
            traffic.failed(e);
            throw e;
        }
        return (int) afterRead(n);
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (isReadShutdown()) {
            return -1;
        }
        long n;
        try {
            n = core.hasCarried() ? core.drainCarried(dsts, offset, length) : engineRead(dsts, offset, length);
        } catch (IOException e) {
            traffic.failed(e);
            throw e;
        }
        return afterRead(n);
    }

    /**
     * End of input ends reads as {@link #terminateReads()} does (see the class comment), without
     * its {@code shutdown(SHUT_RD)}: after the FIN it changes nothing, and a peer that reset
     * meanwhile would turn the -1 into an error.
     */
    private long afterRead(long n) throws IOException {
        if (n < 0) {
            readResumed = false;
            if (readClosed()) {
                readTerminated();
            }
            return -1;
        }
        timeouts.afterRead(core, n, this);
        traffic.read(n);
        return n;
    }

    /** See {@link FileTransfers#toFile}: a count, never -1; closed channels throw. */
    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return FileTransfers.toFile(this, position, count, target);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }


    @Override
    public final void terminateReads() throws IOException {
        // Suspended as NIO does: a shut-down input reads as EOF for ever, and a listener left
        // resumed on it would be called on every loop iteration.
        readResumed = false;
        // The handler hears of the end once, from whoever closed the direction first (this, the
        // read of -1, or close() through notifyReadClosed), as on NIO.
        if (readClosed()) {
            try {
                if (!detached && isOpen()) {
                    guarded(() -> { core.socket().shutdownInput(); return null; });
                }
            } finally {
                readTerminated();
            }
        }
    }

    // =====================================================================================
    // Sink conduit

    @Override
    public final int write(ByteBuffer src) throws IOException {
        checkWritable();
        int n;
        try {
            n = engineWrite(src);
        } catch (IOException e) {
            traffic.failed(e);
            throw e;
        }
        return (int) written(n);
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkWritable();
        long n;
        try {
            n = engineWrite(srcs, offset, length);
        } catch (IOException e) {
            traffic.failed(e);
            throw e;
        }
        return written(n);
    }

    /** Counts and times what the engine took ({@code write}, or a file's bytes via sendfile). */
    final long written(long n) throws IOException {
        traffic.written(n);
        timeouts.afterWrite(core, n, this);
        return n;
    }

    private void checkWritable() throws ClosedChannelException {
        if (writeShutdownRequested || isWriteShutdown() || !isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public final int writeFinal(ByteBuffer src) throws IOException {
        return Conduits.writeFinalBasic(this, src);
    }

    @Override
    public final long writeFinal(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return Conduits.writeFinalBasic(this, srcs, offset, length);
    }

    /**
     * See {@link FileTransfers#fromFile}: {@code sendfile(2)} behind the output already accepted.
     * A count, never -1; a closed connection or file throws {@link ClosedChannelException}.
     */
    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
        checkWritable();
        if (!src.isOpen()) {
            throw new ClosedChannelException();
        }
        return FileTransfers.fromFile(this, src, position, count);
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
        return Conduits.transfer(source, count, throughBuffer, this);
    }

    /**
     * XNIO's {@code flush()}. {@code true} means, off this connection's I/O thread, that every byte
     * written so far is in the kernel; on the I/O thread, that every byte written so far leaves at
     * the end of the current loop iteration, before the thread waits for events again (gathered
     * output: the deliberate difference from NIO, docs/io_uring.md "When written bytes leave").
     */
    @Override
    public final boolean flush() throws IOException {
        if (!isOpen()) {
            return !hasPendingOutput();
        }
        boolean flushed = engineFlush(writeShutdownRequested);
        if (flushed && writeShutdownRequested && !isWriteShutdown()) {
            finishWriteShutdown();
        }
        return flushed;
    }

    @Override
    public final void terminateWrites() throws IOException {
        if (!isOpen() || detached) {
            // close() got here first: it already took care of the output (and told the handler)
            if (writeClosed()) {
                writeTerminated();
            }
            return;
        }
        writeShutdownRequested = true;
        if (engineFlush(true)) {
            finishWriteShutdown();
        }
    }

    private void finishWriteShutdown() throws IOException {
        if (writeClosed()) {
            try {
                if (!detached && isOpen()) {
                    guarded(() -> { core.socket().shutdownOutput(); return null; });
                }
            } finally {
                writeTerminated();
            }
        }
    }

    @Override
    public final void truncateWrites() throws IOException {
        discardPendingOutput();
        terminateWrites();
    }

    @Override
    public final boolean isWriteShutdown() {
        return super.isWriteShutdown();
    }

    @Override
    public final boolean isReadShutdown() {
        return super.isReadShutdown();
    }


    // =====================================================================================
    // Close and detach

    @Override
    protected final void closeAction() throws IOException {
        if (detached) {
            return;
        }
        core.beginClose();
        wakeWaiters();
        releaseOnThread();
    }

    private final ReleaseOnThread release = new ReleaseOnThread(this);

    private void releaseOnThread() {
        ioThread.runOnThread(release);
    }

    /**
     * Set by the server that accepted this connection: it is told when the connection leaves its
     * engine ({@code whenReleased}, for its limits) and counts its exchanges, bytes and errors
     * ({@code traffic}); the transplant hands a moved connection back through it.
     */
    public final void acceptedBy(AcceptingChannel<StreamConnection> server, ReleaseListener whenReleased,
                                 TrafficSink traffic) {
        this.acceptedBy = server;
        this.releaseListener = whenReleased;
        this.traffic.countInto(traffic, ioThread);
    }

    /** The server that accepted this connection, if any. */
    public final AcceptingChannel<StreamConnection> acceptedBy() {
        return acceptedBy;
    }

    /**
     * Runs {@code hook} once, on the I/O thread, when reads are next resumed. Undertow resumes
     * reads on the original socket conduit at the HTTP/1 request boundary; the transplant
     * extension arms this when an exchange completes; it may be armed from any thread (the field
     * is volatile) but only runs on the I/O thread.
     */
    public final void onNextReadResume(Runnable hook) {
        this.readResumeHook = hook;
    }

    /** Engines call this exactly once, when they stop serving the connection. */
    protected final void notifyReleased() {
        ReleaseListener l = releaseListener;
        releaseListener = null;
        if (l != null) {
            l.connectionReleased(this);
        }
    }

    /**
     * Detaches this connection from its engine without closing or shutting down its fd. Runs on
     * the I/O thread (hopping there if needed); Undertow's per-connection state is cleaned up
     * through the connection's close listeners, which run as for any close.
     *
     * @param listener told on the I/O thread when the fd is free, or why it cannot move
     */
    public final void detach(DetachListener listener) {
        ioThread.runOnThread(() -> Detach.onThread(this, listener));
    }

    /** Why this connection cannot move now, or {@code null} when it can. */
    protected DetachRefusal detachRefusal() {
        if (detached) {
            return DetachRefusal.ALREADY_DETACHED;
        }
        if (!isOpen() || isReadShutdown() || isWriteShutdown() || writeShutdownRequested || core.isClosing()) {
            return DetachRefusal.CLOSED;
        }
        if (hasPendingOutput()) {
            return DetachRefusal.OUTPUT_PENDING;
        }
        return null;
    }

    public final boolean isDetached() {
        return detached;
    }

    // =====================================================================================
    // Connection

    @Override
    public final SocketAddress getPeerAddress() {
        return core.peerAddress();
    }

    @Override
    public final SocketAddress getLocalAddress() {
        return core.localAddress();
    }

    @Override
    public boolean supportsOption(Option<?> option) {
        return ConnectionOptions.supports(option);
    }

    @Override
    public <T> T getOption(Option<T> option) throws IOException {
        return ConnectionOptions.get(this, option);
    }

    @Override
    public <T> T setOption(Option<T> option, T value) throws IOException {
        return ConnectionOptions.set(this, option, value);
    }

    @Override
    protected final void notifyWriteClosed() {
        // close() closed the direction before anything else did: its handler hears of it (NIO too)
        writeTerminated();
        super.notifyWriteClosed();
    }

    @Override
    protected final void notifyReadClosed() {
        readTerminated();
        super.notifyReadClosed();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + core + " on " + ioThread.getName() + "]";
    }
}
