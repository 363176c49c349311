package dev.adaptiveio.uring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import dev.adaptiveio.core.natives.uring.UringMemory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * A TCP connection on io_uring, completion-based.
 * <p>
 * Reads: a RECV into a receive buffer this engine owns is kept armed while the connection
 * wants data; its completion makes the connection read-ready, and {@code read} serves the
 * completed bytes. The next RECV is armed once they are consumed.
 * <p>
 * Writes on the I/O thread: {@code write} copies into a {@link SendQueue}; what a connection wrote
 * during a loop iteration is submitted as one SEND (or WRITEV over several chunks) at the end of the
 * iteration, and leaves in the same {@code io_uring_enter} as every other connection's output;
 * {@code flush} there returns {@code true} once the bytes are bound to leave at the end of the
 * iteration (docs/io_uring.md, "When written bytes leave"). A short send is resubmitted. Writes
 * from other threads go straight to the kernel when nothing is queued, and {@code flush} there
 * returns {@code true} only once every byte is in the kernel.
 * <p>
 * Close: ops in flight are cancelled, and the buffers and the fd are released only after their
 * last completion. Detach does the same without closing, and bytes received meanwhile travel
 * with the connection.
 */
final class UringStreamConnection extends NativeStreamConnection implements CompletionListener, FlushTarget {

    private static final int TAG = 0;
    private static final long LINGER_MILLIS = Long.getLong("adaptiveio.linger.millis", 30_000L);

    private final UringIoThread thread;
    private RingHandle handle;

    // ---- inbound: guarded by inLock (other threads read after awaitReadable)
    private final Object inLock = new Object();
    private ByteBuffer recvBuffer;
    private long recvAddress;
    private int recvPos;
    private int recvLimit;
    private boolean eof;
    private IOException readFailure;
    /** I/O thread only. */
    private boolean recvArmed;
    private boolean armWanted;

    // ---- outbound: guarded by out
    private final SendQueue out = new SendQueue();
    private IOException writeFailure;
    /** A write shutdown waits for the queue to drain; guarded by out. */
    private boolean shutdownAfterDrain;
    /** A POLL_ADD(POLLOUT) is in flight (after a short sendfile); I/O thread only. */
    private boolean pollOutArmed;
    private final Runnable armPollOutTask = this::armPollOut;

    // ---- scheduling
    private boolean flushScheduled;
    private final AtomicBoolean remoteKick = new AtomicBoolean();
    private final Runnable remoteKickTask = this::remoteKick;

    // ---- release
    private boolean releasing;
    private boolean keepFd;
    private boolean releasedFromEngine;
    private Runnable whenReleased;
    private boolean lingering;
    private XnioExecutor.Key lingerTimer;

    UringStreamConnection(UringIoThread thread, ConnectionCore core) {
        super(thread, core);
        this.thread = thread;
        this.readReady = core.hasCarried();
        if (thread.inThisThread()) {
            register();
        } else {
            thread.execute(this::register);
        }
    }

    private void register() {
        if (core.isClosing() || releasing) {
            return;
        }
        try {
            handle = thread.ring().register(core.fd(), this);
        } catch (IOException | RuntimeException e) {
            CoreLogger.LOG.closeFailed(e, this);
            IoUtils.safeClose(this);
            return;
        }
        thread.track(shutdownHook);
        // A new connection's first bytes are usually on their way: have a receive waiting.
        wantRecv();
    }

    // =====================================================================================
    // Scheduling: every submission leaves at the end of the loop iteration

    private void scheduleFlushOnce() {
        if (!flushScheduled) {
            flushScheduled = true;
            thread.scheduleFlush(this);
        }
    }

    /** From any thread: make the I/O thread look at this connection at the end of an iteration. */
    private void kick() {
        if (thread.inThisThread()) {
            scheduleFlushOnce();
        } else if (remoteKick.compareAndSet(false, true)) {
            try {
                thread.execute(remoteKickTask);
            } catch (RuntimeException e) {
                remoteKick.set(false);
            }
        }
    }

    private void remoteKick() {
        remoteKick.set(false);
        scheduleFlushOnce();
    }

    @Override
    public void flushGathered() {
        flushScheduled = false;
        if (handle == null || releasing) {
            if (lingering) {
                sendIfIdle();
            }
            return;
        }
        if (armWanted || kickForRecv) {
            armRecv();
        }
        sendIfIdle();
    }

    private void sendIfIdle() {
        synchronized (out) {
            if (!out.isEmpty() && !out.isInflight() && writeFailure == null && handle != null && handle.isActive()) {
                if (!out.submit(handle, TAG)) {
                    writeFailure = new ClosedChannelException();
                }
            }
        }
    }

    // =====================================================================================
    // Reads

    /** Asks for a RECV to be armed (at the end of the iteration) if none is and nothing waits to be read. */
    private void wantRecv() {
        if (thread.inThisThread()) {
            armWanted = true;
            scheduleFlushOnce();
        } else {
            kickForRecv = true;
            kick();
        }
    }

    private volatile boolean kickForRecv;

    private void armRecv() {
        armWanted = false;
        kickForRecv = false;
        if (recvArmed || handle == null || !handle.isActive()) {
            return;
        }
        synchronized (inLock) {
            if (recvPos < recvLimit || eof || readFailure != null || isReadShutdown()) {
                return;
            }
            if (recvBuffer == null) {
                recvBuffer = thread.takeRecvBuffer();
                recvAddress = UringMemory.address(recvBuffer);
            }
            recvPos = recvLimit = 0;
        }
        recvArmed = handle.recv(recvAddress, recvBuffer.capacity(), 0, TAG);
    }

    @Override
    protected int engineRead(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        synchronized (inLock) {
            n = takeLocked(dst);
            if (n == 0) {
                return nothingToRead();
            }
        }
        afterTake();
        return n;
    }

    @Override
    protected long engineRead(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        synchronized (inLock) {
            for (int i = offset; i < offset + length && recvPos < recvLimit; i++) {
                total += takeLocked(dsts[i]);
            }
            if (total == 0) {
                boolean any = false;
                for (int i = offset; i < offset + length; i++) {
                    any |= dsts[i].hasRemaining();
                }
                return any ? nothingToRead() : 0;
            }
        }
        afterTake();
        return total;
    }

    private int takeLocked(ByteBuffer dst) {
        int n = Math.min(recvLimit - recvPos, dst.remaining());
        if (n > 0) {
            dst.put(dst.position(), recvBuffer, recvPos, n);
            dst.position(dst.position() + n);
            recvPos += n;
        }
        return n;
    }

    /** inLock held, no bytes buffered. */
    private int nothingToRead() throws IOException {
        if (readFailure != null) {
            throw readFailure;
        }
        if (eof) {
            return -1;
        }
        readReady = false;
        wantRecv();
        return 0;
    }

    private void afterTake() {
        boolean drained;
        synchronized (inLock) {
            drained = recvPos == recvLimit;
            if (drained && !eof && readFailure == null) {
                readReady = false;
            }
        }
        if (drained) {
            wantRecv();
        }
    }

    @Override
    protected void readsResumed() {
        wantRecv();
    }

    @Override
    protected void awaitingReadable() {
        wantRecv();
    }

    @Override
    protected void awaitingWritable() {
        kick();
    }

    // =====================================================================================
    // Completions (I/O thread)

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        switch (kind) {
            case Op.RECV:
                recvCompleted(result);
                break;
            case Op.SEND:
            case Op.WRITEV:
                sendCompleted(result);
                break;
            case Op.POLL:
                pollOutCompleted(result);
                break;
            case Op.CANCEL:
                break;
            default:
                UringLogger.LOG.unexpectedCompletion(Op.name(kind), result, this);
        }
    }

    private void recvCompleted(int result) {
        recvArmed = false;
        if (result == -UringConstants.ECANCELED) {
            return;
        }
        synchronized (inLock) {
            if (result > 0) {
                recvPos = 0;
                recvLimit = result;
            } else if (result == 0) {
                eof = true;
            } else {
                readFailure = errno("recv", result);
            }
        }
        readReady = true;
        readinessChanged();
    }

    private void sendCompleted(int result) {
        boolean finishLinger;
        boolean finishShutdown;
        synchronized (out) {
            if (result >= 0) {
                out.completed(result);
                if (!out.isEmpty()) {
                    // Short send, or bytes appended meanwhile: the rest leaves this iteration.
                    scheduleFlushOnce();
                }
            } else {
                out.failed();
                if (result != -UringConstants.ECANCELED) {
                    writeFailure = errno("send", result);
                    // Whoever reads next learns of the broken connection.
                    readReady = true;
                }
                if (!releasing) {
                    out.discard();
                }
            }
            finishLinger = lingering && (out.isEmpty() || writeFailure != null);
            finishShutdown = !finishLinger && shutdownAfterDrain && !releasing && out.isEmpty();
            if (finishShutdown) {
                shutdownAfterDrain = false;
            }
        }
        writeReady = true;
        readinessChanged();
        if (finishLinger) {
            endLinger();
        } else if (finishShutdown) {
            try {
                flush();
            } catch (IOException e) {
                CoreLogger.LOG.closeFailed(e, this);
            }
        }
    }

    private static IOException errno(String op, int result) {
        int errno = -result;
        String reason;
        switch (errno) {
            case UringConstants.ECONNRESET:
                reason = "Connection reset by peer";
                break;
            case UringConstants.EPIPE:
                reason = "Broken pipe";
                break;
            case UringConstants.ETIMEDOUT:
                reason = "Connection timed out";
                break;
            default:
                reason = UringConstants.errnoName(errno);
        }
        return new IOException(op + " failed: " + reason + " (errno " + errno + ")");
    }

    // =====================================================================================
    // Writes

    @Override
    protected int engineWrite(ByteBuffer src) throws IOException {
        synchronized (out) {
            checkOutput();
            int want = src.remaining();
            if (want == 0) {
                return 0;
            }
            int direct = 0;
            if (sendsDirect()) {
                direct = (int) writeDirect(null, src, 0, 0);
                if (!src.hasRemaining()) {
                    return direct;
                }
            }
            int n = out.append(src);
            afterAppend(n, want - direct);
            return direct + n;
        }
    }

    @Override
    protected long engineWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        synchronized (out) {
            checkOutput();
            long want = 0;
            for (int i = offset; i < offset + length; i++) {
                want += srcs[i].remaining();
            }
            if (want == 0) {
                return 0;
            }
            long direct = 0;
            if (sendsDirect()) {
                direct = writeDirect(srcs, null, offset, length);
                if (direct == want) {
                    return direct;
                }
            }
            long n = out.append(srcs, offset, length);
            afterAppend(n, want - direct);
            return direct + n;
        }
    }

    /**
     * out held. Off the I/O thread, with nothing queued or in flight, the caller's bytes go to the
     * kernel now, as NIO's and epoll's writes do: a blocking writer on a worker thread does not wait
     * for the I/O thread, and its peer can read what {@code write} returned. On the I/O thread
     * output is gathered for the end of the iteration (one SEND per connection per iteration).
     */
    private boolean sendsDirect() {
        return !thread.inThisThread() && out.isEmpty();
    }

    /** out held, off the I/O thread: a write system call, guarded against a concurrent close. */
    private long writeDirect(ByteBuffer[] srcs, ByteBuffer src, int offset, int length) throws IOException {
        core.enter();
        try {
            return srcs == null ? core.socket().write(src) : core.socket().write(srcs, offset, length);
        } catch (IOException e) {
            // The connection is broken for the I/O thread too: the next operation reports it.
            writeFailure = e;
            throw e;
        } finally {
            if (core.exit()) {
                finishCloseLater();
            }
        }
    }

    /** out held. */
    private void afterAppend(long taken, long wanted) {
        if (taken < wanted) {
            // Full: the writer waits for writeReady, which the next completion sets.
            writeReady = false;
        }
        if (taken > 0 && !out.isInflight()) {
            kick();
        }
    }

    private void checkOutput() throws IOException {
        IOException failure = writeFailure;
        if (failure != null) {
            throw failure;
        }
        if (core.isClosing() || releasing) {
            throw new ClosedChannelException();
        }
    }

    @Override
    protected boolean engineFlush(boolean mustSend) throws IOException {
        synchronized (out) {
            checkOutput();
            if (out.isEmpty()) {
                return true;
            }
            if (!mustSend && writeReady && thread.inThisThread()) {
                // On the I/O thread the bytes leave at the end of this iteration, in the same
                // io_uring_enter as everything else; a failure is reported by the next operation
                // (as epoll's gathered output does). Waiting here for the completion would make
                // Undertow serve one pipelined response per iteration, and its client assumes a
                // request is flushed before the response arrives.
                kick();
                return true;
            }
            if ((mustSend || !thread.inThisThread()) && !out.isInflight()) {
                // Shutting down output or detaching: the bytes must be in the kernel before the
                // shutdown call, and a completion is an iteration away. Off the I/O thread: true
                // from flush() means the bytes are in the kernel, without waiting for the I/O
                // thread (it may be busy). Nothing is in flight to overtake, so a direct send is safe.
                sendDirect();
                if (out.isEmpty()) {
                    return true;
                }
            }
            if (mustSend) {
                // A write shutdown waits for these bytes: finish it when they are confirmed, even
                // if nobody calls flush again (NIO completes it at once; callers rely on that).
                shutdownAfterDrain = true;
            }
            // Not confirmed yet: wake the flusher on the next completion, not before.
            writeReady = false;
            if (!out.isInflight()) {
                kick();
            }
            return false;
        }
    }

    /** out held, nothing in flight. */
    private void sendDirect() throws IOException {
        boolean inLoop = thread.inThisThread();
        if (!inLoop) {
            core.enter();
        }
        try {
            out.sendNow(core.socket());
        } catch (IOException e) {
            writeFailure = e;
            out.discard();
            throw e;
        } finally {
            if (!inLoop && core.exit()) {
                finishCloseLater();
            }
        }
    }

    /**
     * sendfile behind the queued output: that goes first. With a SEND in flight, or when a direct
     * send cannot take it all, the writer waits for writeReady, which the SEND's completion sets
     * (as in {@link #engineFlush}); bytes are never reordered.
     */
    @Override
    protected long engineSendFile(FileChannel src, long position, long count) throws IOException {
        synchronized (out) {
            checkOutput();
            if (!out.isEmpty()) {
                if (!out.isInflight()) {
                    sendDirect();
                }
                if (!out.isEmpty()) {
                    writeReady = false;
                    if (!out.isInflight()) {
                        kick();
                    }
                    return 0;
                }
            }
            long n = sendFileNow(src, position, count);
            if (!writeReady) {
                writeFellShort();
            }
            return n;
        }
    }

    /**
     * A sendfile left the socket full. Unlike a queued SEND (which the kernel finishes on its own
     * and reports with a completion) nothing is in flight that would say when the socket drains,
     * so a one-shot POLL_ADD(POLLOUT) is armed: the kernel checks the socket when it takes the
     * poll, so a drain that happens before it is armed completes it at once and is not lost; its
     * completion sets writeReady. One poll per short send, never a loop of retries.
     */
    private void writeFellShort() {
        if (thread.inThisThread()) {
            armPollOut();
        } else {
            try {
                thread.execute(armPollOutTask);
            } catch (RuntimeException closing) {
                // The thread is shutting down: it closes this connection, which wakes the writer.
            }
        }
    }

    private void armPollOut() {
        if (pollOutArmed || releasing || handle == null || !handle.isActive()) {
            return;
        }
        pollOutArmed = handle.pollAdd(UringConstants.POLLOUT, false, TAG);
        if (!pollOutArmed) {
            // No room in the ring for the poll: let the writer try again rather than wait for ever.
            writeReady = true;
            readinessChanged();
        }
    }

    private void pollOutCompleted(int result) {
        pollOutArmed = false;
        if (result == -UringConstants.ECANCELED) {
            return;
        }
        // Ready, or an error (POLLERR/POLLHUP or a failed poll) the next write will meet.
        writeReady = true;
        readinessChanged();
    }

    @Override
    protected boolean hasPendingOutput() {
        synchronized (out) {
            return !out.isEmpty();
        }
    }

    @Override
    protected void discardPendingOutput() {
        synchronized (out) {
            if (!out.isInflight()) {
                out.discard();
            }
        }
    }

    @Override
    protected void engineShutdownInput() throws IOException {
        core.socket().shutdownInput();
    }

    @Override
    protected void engineShutdownOutput() throws IOException {
        core.socket().shutdownOutput();
    }

    // =====================================================================================
    // Release: close and detach (I/O thread)

    @Override
    protected void engineRelease(boolean keepFd, Runnable whenReleased) {
        if (releasedFromEngine) {
            // A close finished late (another thread was inside a system call), or a repeat.
            if (!keepFd) {
                core.closeFdIfIdle();
            }
            return;
        }
        if (releasing || lingering) {
            return;
        }
        if (!keepFd) {
            synchronized (out) {
                if (!out.isEmpty() && writeFailure == null && handle != null && !thread.isShutdownRequested()) {
                    // Output accepted before close leaves before the fd goes (bounded by a timer).
                    lingering = true;
                    this.whenReleased = whenReleased;
                    lingerTimer = thread.executeAfter(this::lingerExpired, LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    scheduleFlushOnce();
                    return;
                }
            }
        }
        startRelease(keepFd, whenReleased);
    }

    /**
     * What the I/O thread closes when it shuts down: the connection, through its handlers'
     * {@code forceTermination()} as on every engine (a connection wrapped by XNIO's SSL or StartTLS
     * channel is closed by that channel, so its close listener runs), or, when it already closed
     * and lingers to send output a peer does not read, the lingering (the worker must terminate).
     */
    private final java.io.Closeable shutdownHook = new java.io.Closeable() {
        @Override
        public void close() {
            if (lingering) {
                endLinger();
            } else {
                forceTermination();
            }
        }

        @Override
        public String toString() {
            return UringStreamConnection.this.toString();
        }
    };

    private void lingerExpired() {
        lingerTimer = null;
        if (lingering) {
            synchronized (out) {
                CoreLogger.LOG.lingerExpired(this, out.size(), LINGER_MILLIS);
            }
            endLinger();
        }
    }

    private void endLinger() {
        lingering = false;
        if (lingerTimer != null) {
            lingerTimer.remove();
            lingerTimer = null;
        }
        startRelease(false, whenReleased);
    }

    private void startRelease(boolean keepFd, Runnable whenReleased) {
        releasing = true;
        this.keepFd = keepFd;
        this.whenReleased = whenReleased;
        RingHandle h = handle;
        if (h == null) {
            finishRelease();
            return;
        }
        if (!keepFd) {
            // Late results no longer matter; the buffers stay lent until the completions arrive.
            h.retire();
        }
        h.cancelAll();
        h.release(false);
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        finishRelease();
    }

    private void finishRelease() {
        if (releasedFromEngine) {
            return;
        }
        releasedFromEngine = true;
        synchronized (inLock) {
            if (keepFd && recvPos < recvLimit) {
                // Received but not consumed: it travels with the connection to its next engine.
                ByteBuffer carried = ByteBuffer.allocate(recvLimit - recvPos);
                carried.put(0, recvBuffer, recvPos, carried.capacity());
                core.carry(carried);
            }
            recvPos = recvLimit = 0;
            if (recvBuffer != null) {
                thread.returnRecvBuffer(recvBuffer);
                recvBuffer = null;
            }
        }
        synchronized (out) {
            out.failed();
            out.free();
        }
        thread.untrack(shutdownHook);
        notifyReleased();
        if (!keepFd) {
            core.closeFdIfIdle();
        }
        Runnable r = whenReleased;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public void onRingClosing(RingHandle h) {
        // The ring goes with its thread: end the connection as a worker shutdown does.
        forceTermination();
    }

    /** Ops in flight on this connection's fd (tests and diagnostics); I/O thread only. */
    int inflightOps() {
        RingHandle h = handle;
        return h == null ? 0 : h.inflightCount();
    }
}
