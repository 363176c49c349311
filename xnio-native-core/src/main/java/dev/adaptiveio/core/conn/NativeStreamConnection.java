package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.loop.ReadyTarget;
import org.xnio.Option;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.channels.WriteTimeoutException;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.conduits.WriteReadyHandler;

/**
 * The XNIO side of a native TCP connection, shared by every engine: the connection is its own
 * source and sink conduit (as XNIO's NIO socket conduit is), and this class holds everything
 * XNIO defines about them: resume/suspend/wakeup with level-triggered semantics, await from
 * other threads, read/write shutdown, timeouts, options, close, and detaching the connection
 * from its engine. Subclasses move the bytes.
 * <p>
 * Readiness: engines set {@link #readReady}/{@link #writeReady} when the kernel says so and
 * call {@link #readinessChanged()}. A resumed direction whose ready flag is set is dispatched
 * on the I/O thread, and dispatched again each loop iteration while it stays ready, which is
 * what NIO's level-triggered selector does. A reader clears {@code readReady} before it asks
 * the kernel, so an event that arrives during the call is never lost.
 * <p>
 * End of input is handled as NIO's socket conduit does: the first read that returns -1 shuts
 * reads down ({@link #terminateReads()}), which also suspends them. An EOF stays readable for
 * ever, so a listener left resumed on it would otherwise be called on every loop iteration.
 */
public abstract class NativeStreamConnection extends StreamConnection
        implements StreamSourceConduit, StreamSinkConduit, ReadyTarget {

    protected final NativeIoThread ioThread;
    protected final ConnectionCore core;

    private ReadReadyHandler readHandler;
    private WriteReadyHandler writeHandler;
    private volatile boolean readResumed;
    private volatile boolean writeResumed;
    /** The kernel may have data (or EOF) for us; engines set it, readers clear it. */
    protected volatile boolean readReady;
    /** The kernel may take more output; engines maintain it. */
    protected volatile boolean writeReady = true;
    private volatile boolean readWakeup;
    private volatile boolean writeWakeup;
    private boolean scheduled;
    private final AtomicBoolean remoteScheduled = new AtomicBoolean();
    private final Runnable remoteDispatch = this::remoteDispatch;

    private volatile boolean writeShutdownRequested;
    private volatile boolean detached;
    private final Object awaitLock = new Object();
    private volatile int waiters;
    private long lastReadNanos;
    private long lastWriteNanos;
    /** Set by the first {@link #forceTermination()}; only the I/O thread calls it. */
    private boolean forceTerminated;

    protected NativeStreamConnection(NativeIoThread ioThread, ConnectionCore core) {
        super(ioThread);
        this.ioThread = ioThread;
        this.core = core;
        setSourceConduit(this);
        setSinkConduit(this);
    }

    public final ConnectionCore core() {
        return core;
    }

    public final NativeIoThread nativeIoThread() {
        return ioThread;
    }

    /** The engine that serves this connection. */
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
     * Sends part of a plain file: first every byte accepted before it must be in the kernel (the
     * engine sends it now; when it cannot all go, the engine returns 0 and the writer waits for
     * write readiness as after any short write), then {@link #sendFileNow} under the engine's
     * output lock. When that leaves {@link #writeReady} clear the socket was full: the engine
     * arranges to hear when it drains, as after a short write.
     *
     * @return bytes of the file sent
     */
    protected abstract long engineSendFile(FileChannel src, long position, long count) throws IOException;

    /** For {@link #engineSendFile}: the guarded {@code sendfile(2)} call ({@link FileTransfers#sendFile}). */
    protected final long sendFileNow(FileChannel src, long position, long count) throws IOException {
        return FileTransfers.sendFile(this, src, position, count);
    }

    /** Whether accepted output has not reached the kernel yet. */
    protected abstract boolean hasPendingOutput();

    /** Drops accepted output that has not reached the kernel. */
    protected abstract void discardPendingOutput();

    protected abstract void engineShutdownInput() throws IOException;

    /** Called once all output has been sent. */
    protected abstract void engineShutdownOutput() throws IOException;

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

    /** Hook: writes were resumed. */
    protected void writesResumed() {
    }

    /** Hook: a thread is about to wait for readiness (engines without standing interest arm a poll). */
    protected void awaitingReadable() {
    }

    protected void awaitingWritable() {
    }

    // =====================================================================================
    // Readiness and dispatch

    /**
     * Engines call this after changing a ready flag; dispatches from the I/O thread, or wakes
     * the threads waiting in {@code await*}.
     */
    protected final void readinessChanged() {
        if (waiters > 0) {
            synchronized (awaitLock) {
                awaitLock.notifyAll();
            }
        }
        if ((readResumed && (readReady || readWakeup)) || (writeResumed && (writeReady || writeWakeup))) {
            schedule();
        }
    }

    private void schedule() {
        if (ioThread.inThisThread()) {
            if (!scheduled) {
                scheduled = true;
                ioThread.scheduleReady(this);
            }
        } else if (remoteScheduled.compareAndSet(false, true)) {
            try {
                ioThread.execute(remoteDispatch);
            } catch (RuntimeException e) {
                remoteScheduled.set(false);
            }
        }
    }

    private void remoteDispatch() {
        remoteScheduled.set(false);
        schedule();
    }

    @Override
    public final void dispatchReady() {
        scheduled = false;
        if (detached || core.isClosing()) {
            return;
        }
        if (readResumed && (readReady || readWakeup)) {
            readWakeup = false;
            if (isReadShutdown()) {
                // As NIO: suspended, then told once. A shut-down input stays "ready" for ever, so
                // a listener resumed again after -1 would otherwise run on every iteration.
                readResumed = false;
            }
            ReadReadyHandler h = readHandler;
            if (h != null) {
                try {
                    h.readReady();
                } catch (Throwable t) {
                    CoreLogger.LOG.listenerFailed(t, this);
                }
            }
        }
        if (writeResumed && (writeReady || writeWakeup)) {
            writeWakeup = false;
            if (isWriteShutdown()) {
                writeResumed = false; // as for reads above
            }
            WriteReadyHandler h = writeHandler;
            if (h != null) {
                try {
                    h.writeReady();
                } catch (Throwable t) {
                    CoreLogger.LOG.listenerFailed(t, this);
                }
            }
        }
        // Level-triggered: still resumed and still ready means call again next iteration.
        if (!detached && !core.isClosing()
                && ((readResumed && (readReady || readWakeup)) || (writeResumed && (writeReady || writeWakeup)))) {
            scheduled = true;
            ioThread.scheduleReady(this);
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
        if (core.hasCarried()) {
            n = core.drainCarried(dst);
        } else {
            n = countedRead(dst);
        }
        if (n < 0) {
            endOfInput();
            return -1;
        }
        checkReadTimeout(n);
        if (n > 0) {
            readSinceWrite = true;
        }
        return n;
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (isReadShutdown()) {
            return -1;
        }
        long n;
        if (core.hasCarried()) {
            n = 0;
            for (int i = offset; i < offset + length && core.hasCarried(); i++) {
                n += core.drainCarried(dsts[i]);
            }
        } else {
            n = engineRead(dsts, offset, length);
        }
        if (n < 0) {
            endOfInput();
            return -1;
        }
        checkReadTimeout(n);
        if (n > 0) {
            readSinceWrite = true;
        }
        return n;
    }

    /**
     * The peer's EOF was read: reads end as with {@link #terminateReads()} (see the class
     * comment), without its {@code shutdown(SHUT_RD)}: after the FIN it changes nothing, and a
     * peer that reset meanwhile would turn the -1 into an error.
     */
    private void endOfInput() {
        readResumed = false;
        if (readClosed()) {
            readTerminated();
        }
    }

    private int countedRead(ByteBuffer dst) throws IOException {
        try {
            return engineRead(dst);
        } catch (IOException e) {
            countError(e);
            throw e;
        }
    }

    private void countError(IOException e) {
        var t = traffic;
        // A peer that resets or leaves is the end of a connection, not an engine fault.
        if (t != null && !(e instanceof ClosedChannelException)
                && !dev.adaptiveio.core.natives.NativeSocket.isPeerGone(e)) {
            t.error();
        }
    }

    private void countWritten(long n) {
        var t = traffic;
        if (t != null && n > 0) {
            if (readSinceWrite) {
                readSinceWrite = false;
                t.exchange();
            }
            t.written(n);
        }
    }

    private void checkReadTimeout(long result) throws ReadTimeoutException {
        int timeout = core.readTimeoutMillis();
        if (timeout > 0) {
            long now = System.nanoTime();
            if (result != 0) {
                lastReadNanos = now;
            } else if (lastReadNanos != 0 && now - lastReadNanos > TimeUnit.MILLISECONDS.toNanos(timeout)) {
                throw new ReadTimeoutException("Read timed out after " + timeout + " ms on " + this);
            }
        }
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
    public final void suspendReads() {
        readResumed = false;
    }

    @Override
    public final void resumeReads() {
        readResumed = true;
        readsResumed();
        Runnable hook = readResumeHook;
        if (hook != null && ioThread.inThisThread()) {
            readResumeHook = null;
            hook.run();
        }
        readinessChanged();
    }

    @Override
    public final void wakeupReads() {
        readWakeup = true;
        resumeReads();
    }

    @Override
    public final boolean isReadResumed() {
        return readResumed;
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
                    runGuarded(this::engineShutdownInput);
                }
            } finally {
                readTerminated();
            }
        }
    }

    private void readTerminated() {
        ReadReadyHandler h = readHandler;
        if (h != null) {
            try {
                h.terminated();
            } catch (Throwable ignored) {
            }
        }
        wakeWaiters();
    }

    @Override
    public final void awaitReadable() throws IOException {
        awaitReadable(-1, TimeUnit.MILLISECONDS);
    }

    @Override
    public final void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        awaitReady(true, time < 0 ? -1 : timeUnit.toNanos(time));
    }

    @Override
    public final XnioIoThread getReadThread() {
        return ioThread;
    }

    @Override
    public final void setReadReadyHandler(ReadReadyHandler handler) {
        this.readHandler = handler;
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
            countError(e);
            throw e;
        }
        countWritten(n);
        checkWriteTimeout(n);
        return n;
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkWritable();
        long n;
        try {
            n = engineWrite(srcs, offset, length);
        } catch (IOException e) {
            countError(e);
            throw e;
        }
        countWritten(n);
        checkWriteTimeout(n);
        return n;
    }

    private void checkWritable() throws ClosedChannelException {
        if (writeShutdownRequested || isWriteShutdown() || !isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void checkWriteTimeout(long result) throws WriteTimeoutException {
        int timeout = core.writeTimeoutMillis();
        if (timeout > 0) {
            long now = System.nanoTime();
            if (result != 0) {
                lastWriteNanos = now;
            } else if (lastWriteNanos != 0 && now - lastWriteNanos > TimeUnit.MILLISECONDS.toNanos(timeout)) {
                throw new WriteTimeoutException("Write timed out after " + timeout + " ms on " + this);
            }
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

    /** Counts and times what {@link #engineSendFile} returned, as {@code write} does for its bytes. */
    final long fileSent(long n) throws WriteTimeoutException {
        countWritten(n);
        checkWriteTimeout(n);
        return n;
    }

    final void fileSendFailed(IOException e) {
        countError(e);
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
    public final void suspendWrites() {
        writeResumed = false;
    }

    @Override
    public final void resumeWrites() {
        writeResumed = true;
        writesResumed();
        readinessChanged();
    }

    @Override
    public final void wakeupWrites() {
        writeWakeup = true;
        resumeWrites();
    }

    @Override
    public final boolean isWriteResumed() {
        return writeResumed;
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
                    runGuarded(this::engineShutdownOutput);
                }
            } finally {
                writeTerminated();
            }
        }
    }

    private void writeTerminated() {
        WriteReadyHandler h = writeHandler;
        if (h != null) {
            try {
                h.terminated();
            } catch (Throwable ignored) {
            }
        }
        wakeWaiters();
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

    @Override
    public final void awaitWritable() throws IOException {
        awaitWritable(-1, TimeUnit.MILLISECONDS);
    }

    @Override
    public final void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
        awaitReady(false, time < 0 ? -1 : timeUnit.toNanos(time));
    }

    @Override
    public final XnioIoThread getWriteThread() {
        return ioThread;
    }

    @Override
    public final void setWriteReadyHandler(WriteReadyHandler handler) {
        this.writeHandler = handler;
    }

    // =====================================================================================
    // Waiting from other threads

    /**
     * Blocks until the direction is ready, shut down or closed, or the timeout passes. Ready
     * flags are set only by the kernel's word (an epoll event, a completion) or by a read that
     * filled the caller's buffer (more may wait), so this does not return at once on a quiet
     * connection; after a full read it may return once with nothing to read (a spurious
     * wake-up, which XNIO allows).
     */
    private void awaitReady(boolean read, long timeoutNanos) throws IOException {
        Xnio.checkBlockingAllowed();
        if (isReadyOrDone(read)) {
            return;
        }
        if (ioThread.inThisThread()) {
            // Only this thread sets the ready flags: waiting here would never end (a timed wait
            // would stall every connection of the thread for its whole length).
            throw CoreLogger.LOG.awaitOnOwnIoThread(read ? "awaitReadable" : "awaitWritable", this);
        }
        if (read) {
            awaitingReadable();
        } else {
            awaitingWritable();
        }
        long deadline = timeoutNanos < 0 ? 0 : System.nanoTime() + timeoutNanos;
        synchronized (awaitLock) {
            waiters++;
            try {
                while (!isReadyOrDone(read)) {
                    if (timeoutNanos < 0) {
                        awaitLock.wait();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return;
                        }
                        TimeUnit.NANOSECONDS.timedWait(awaitLock, left);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            } finally {
                waiters--;
            }
        }
    }

    private boolean isReadyOrDone(boolean read) {
        if (!isOpen() || detached) {
            return true;
        }
        if (read) {
            return readReady || core.hasCarried() || isReadShutdown();
        }
        return (writeReady && !hasPendingOutput()) || isWriteShutdown();
    }

    private void wakeWaiters() {
        if (waiters > 0) {
            synchronized (awaitLock) {
                awaitLock.notifyAll();
            }
        }
    }

    // =====================================================================================
    // Guarding system calls made off the I/O thread

    protected interface SysCall {
        void run() throws IOException;
    }

    /** Runs a system call on the fd, protected against a concurrent close when off the I/O thread. */
    protected final void runGuarded(SysCall call) throws IOException {
        if (ioThread.inThisThread()) {
            if (core.isClosing()) {
                throw new ClosedChannelException();
            }
            call.run();
            return;
        }
        core.enter();
        try {
            call.run();
        } finally {
            if (core.exit()) {
                finishCloseLater();
            }
        }
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

    /**
     * Worker shutdown: lets the front end close its channel first (XNIO's
     * {@link org.xnio.conduits.TerminateHandler#forceTermination()} contract: Undertow closes an
     * HTTP/2 or TLS connection its own way), then closes whatever is left.
     */
    public final void forceTermination() {
        if (forceTerminated) {
            // A closing loop calls this on every iteration until the connection is released
            // (io_uring waits for its cancels); the front end is told once.
            return;
        }
        forceTerminated = true;
        ReadReadyHandler r = readHandler;
        if (r != null) {
            try {
                r.forceTermination();
            } catch (Throwable t) {
                CoreLogger.LOG.listenerFailed(t, this);
            }
        }
        WriteReadyHandler w = writeHandler;
        if (w != null) {
            try {
                w.forceTermination();
            } catch (Throwable t) {
                CoreLogger.LOG.listenerFailed(t, this);
            }
        }
        org.xnio.IoUtils.safeClose(this);
    }

    /** Asks the I/O thread to finish a close that waited for another thread's system call. */
    protected final void finishCloseLater() {
        releaseOnThread();
    }

    private static final Runnable NOTHING = () -> { };

    private void releaseOnThread() {
        ioThread.runOnThread(() -> engineRelease(false, NOTHING));
    }

    private volatile ReleaseListener releaseListener;
    private dev.adaptiveio.core.server.ServerTraffic.PerEngine traffic;
    private boolean readSinceWrite;

    /** Counts this connection's exchanges, bytes and errors into {@code share} (set by its server). */
    public final void countTrafficIn(dev.adaptiveio.core.server.ServerTraffic.PerEngine share) {
        this.traffic = share;
    }
    private volatile Object acceptedBy;
    private volatile Runnable readResumeHook;

    /** The server that accepted this connection, if any (set by the server). */
    public final Object acceptedBy() {
        return acceptedBy;
    }

    public final void acceptedBy(Object server) {
        this.acceptedBy = server;
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

    /** Told once when the engine stops serving a connection (closed or detached). */
    public interface ReleaseListener {
        void connectionReleased(NativeStreamConnection connection);
    }

    /** Sets who is told when this connection leaves its engine (its server, for limits). */
    public final void setReleaseListener(ReleaseListener listener) {
        this.releaseListener = listener;
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
        ioThread.runOnThread(() -> detachOnThread(listener));
    }

    private void detachOnThread(DetachListener listener) {
        if (isOpen() && !detached) {
            try {
                // A response gathered in this iteration leaves now, not with the next engine.
                engineFlush(true);
            } catch (IOException e) {
                listener.refused(this, DetachRefusal.OUTPUT_FAILED, e);
                return;
            }
        }
        DetachRefusal refusal = detachRefusal();
        if (refusal != null) {
            listener.refused(this, refusal, null);
            return;
        }
        detached = true;
        readResumed = false;
        writeResumed = false;
        engineRelease(true, () -> {
            DetachedConnection moved = new DetachedConnection(core, engineName());
            try {
                // XNIO's close runs the close listeners (Undertow cleans up); closeAction and the
                // terminate methods see "detached" and leave the fd alone.
                close();
            } catch (IOException ignored) {
            }
            listener.detached(moved);
        });
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

    /** Receives the outcome of {@link #detach}. */
    public interface DetachListener {
        void detached(DetachedConnection connection);

        /**
         * The connection stays where it is, still open unless {@code reason} says otherwise.
         *
         * @param cause what failed, for {@link DetachRefusal#OUTPUT_FAILED}; otherwise {@code null}
         */
        void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause);
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
        OptionAccess<T> access = new OptionAccess<>();
        runGuarded(() -> access.value = ConnectionOptions.read(core, option));
        return access.value;
    }

    @Override
    public <T> T setOption(Option<T> option, T value) throws IOException {
        OptionAccess<T> access = new OptionAccess<>();
        runGuarded(() -> {
            access.value = ConnectionOptions.read(core, option);
            ConnectionOptions.write(core, option, value);
        });
        return access.value;
    }

    /** Carries a value out of a guarded system call. */
    private static final class OptionAccess<T> {
        T value;
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
