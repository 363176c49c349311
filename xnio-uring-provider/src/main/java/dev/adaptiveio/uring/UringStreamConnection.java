package dev.adaptiveio.uring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.conn.PendingOutput;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeIoException;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import org.xnio.IoUtils;

/**
 * A TCP connection on io_uring, completion-based.
 * <p>
 * Reads: a RECV into a receive buffer this engine owns is kept armed while the connection
 * wants data; its completion makes the connection read-ready, and {@code read} serves the
 * completed bytes. The next RECV is armed once they are consumed.
 * <p>
 * Writes on the I/O thread: {@code write} copies into a {@link SendQueue} (a write of a chunk or
 * more with nothing queued goes to the kernel from the caller's buffers first); what a connection wrote
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
 * <p>
 * The inbound side lives in {@link UringReceiver}, the way out of the engine (linger, cancel,
 * release) in {@link UringRelease}; this class holds the output and ties them to XNIO.
 */
final class UringStreamConnection extends NativeStreamConnection implements CompletionListener, FlushTarget {

    static final int TAG = 0;

    private final UringIoThread thread;
    private RingHandle handle;

    private final UringReceiver in;

    // ---- outbound: guarded by out
    private final SendQueue out = new SendQueue();
    /** A write shutdown waits for the queue to drain; guarded by out. */
    private boolean shutdownAfterDrain;
    private final UringPollOut pollOut;

    // ---- scheduling
    private boolean flushScheduled;
    private final AtomicBoolean remoteKick = new AtomicBoolean();
    private final Runnable remoteKickTask = this::remoteKick;

    private final UringRelease release;

    UringStreamConnection(UringIoThread thread, ConnectionCore core) {
        super(thread, core);
        this.thread = thread;
        this.in = new UringReceiver(this, thread, core);
        this.release = new UringRelease(this, thread);
        this.pollOut = new UringPollOut(this, thread);
        this.readReady = core.hasCarried();
        if (thread.inThisThread()) {
            register();
        } else {
            thread.execute(this::register);
        }
    }

    private void register() {
        if (core.isClosing() || release.isReleasing()) {
            return;
        }
        try {
            handle = thread.ring().register(core.fd(), this);
        } catch (IOException | RuntimeException e) {
            CoreLogger.LOG.closeFailed(e, this);
            IoUtils.safeClose(this);
            return;
        }
        thread.track(release.shutdownHook);
        // A new connection's first bytes are usually on their way: have a receive waiting.
        in.want();
    }

    // =====================================================================================
    // Scheduling: every submission leaves at the end of the loop iteration

    void scheduleFlushOnce() {
        if (!flushScheduled) {
            flushScheduled = true;
            thread.scheduleFlush(this);
        }
    }

    /** From any thread: make the I/O thread look at this connection at the end of an iteration. */
    void kick() {
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
        if (handle == null || release.isReleasing()) {
            if (release.isLingering()) {
                sendIfIdle();
            }
            return;
        }
        // The response leaves before the next request is asked for: SQEs run in submission order.
        sendIfIdle();
        in.armIfWanted(handle);
    }

    @Override
    protected PendingOutput pendingOutput() {
        return out;
    }

    private void sendIfIdle() {
        synchronized (out) {
            if (!out.isEmpty() && !out.isInflight() && !out.hasWriteFailure() && handle != null && handle.isActive()) {
                if (!out.submit(handle, TAG)) {
                    out.writeFailed(new ClosedChannelException());
                }
            }
        }
    }

    // =====================================================================================
    // Reads

    @Override
    protected int engineRead(ByteBuffer dst) throws IOException {
        return in.read(dst);
    }

    @Override
    protected long engineRead(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return in.read(dsts, offset, length);
    }

    /** For the receiver, which clears it under its lock (see {@link UringReceiver}). */
    void setReadReady(boolean ready) {
        readReady = ready;
    }

    @Override
    protected void readsResumed() {
        in.want();
    }

    @Override
    protected void awaitingReadable() {
        in.want();
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
                if (in.completed(result, flags)) {
                    readReady = true;
                    readinessChanged();
                }
                break;
            case Op.SEND:
            case Op.WRITEV:
                sendCompleted(result);
                break;
            case Op.POLL:
                pollOut.completed(result);
                break;
            case Op.CANCEL:
                break;
            default:
                UringLogger.LOG.unexpectedCompletion(Op.name(kind), result, this);
        }
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
                    out.writeFailed(NativeIoException.ofResult("send", result));
                    // Whoever reads next learns of the broken connection.
                    readReady = true;
                }
                if (!release.isReleasing()) {
                    out.discard();
                }
            }
            finishLinger = release.isLingering() && (out.isEmpty() || out.hasWriteFailure());
            finishShutdown = !finishLinger && shutdownAfterDrain && !release.isReleasing() && out.isEmpty();
            if (finishShutdown) {
                shutdownAfterDrain = false;
            }
        }
        writeReady = true;
        readinessChanged();
        if (finishLinger) {
            release.endLinger();
        } else if (finishShutdown) {
            try {
                flush();
            } catch (IOException e) {
                CoreLogger.LOG.closeFailed(e, this);
            }
        }
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
            if (sendsDirect(want)) {
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
            if (sendsDirect(want)) {
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
     * out held. Only with nothing queued or in flight, so the caller's bytes cannot overtake earlier
     * output. Off the I/O thread the caller's bytes always go to the kernel now, as NIO's and
     * epoll's writes do: a blocking writer on a worker thread does not wait for the I/O thread,
     * and its peer can read what {@code write} returned. On the I/O thread small writes are
     * gathered for the end of the iteration (one SEND per connection per iteration, which is what
     * batches pipelined responses), but a write of at least one send chunk goes out now from the
     * caller's memory: gathering it would copy it chunk by chunk and hold it to at most
     * {@link SendQueue#MAX_CHUNKS} chunks per iteration, and a response that large is not one of
     * many small ones a SEND could batch. Only what the kernel does not take is queued.
     */
    private boolean sendsDirect(long want) {
        return out.isEmpty() && (want >= SendQueue.CHUNK || !thread.inThisThread());
    }

    /**
     * out held, nothing queued or in flight: a non-blocking write system call from the caller's
     * buffers; off the I/O thread guarded against a concurrent close.
     */
    private long writeDirect(ByteBuffer[] srcs, ByteBuffer src, int offset, int length) throws IOException {
        boolean guarded = enterGuard();
        try {
            return srcs == null ? core.socket().write(src) : core.socket().write(srcs, offset, length);
        } catch (IOException e) {
            // The connection is broken for the I/O thread too: the next operation reports it.
            out.writeFailed(e);
            throw e;
        } finally {
            leaveGuard(guarded);
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

    @Override
    protected boolean isLeavingEngine() {
        return release.isReleasing();
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
        boolean guarded = enterGuard();
        try {
            out.sendNow(core.socket());
        } catch (IOException e) {
            out.writeFailed(e);
            out.discard();
            throw e;
        } finally {
            leaveGuard(guarded);
        }
    }

    /**
     * A file waits for the queued output. With a SEND in flight, or when a direct send cannot take
     * it all, the writer waits for writeReady, which the SEND's completion sets (as in
     * {@link #engineFlush}).
     */
    @Override
    protected boolean drainBeforeFile() throws IOException {
        if (!out.isInflight()) {
            sendDirect();
        }
        if (out.isEmpty()) {
            return true;
        }
        writeReady = false;
        if (!out.isInflight()) {
            kick();
        }
        return false;
    }

    @Override
    protected void sendFileFellShort() {
        pollOut.fellShort();
    }

    /** The ring handle when it may take new ops (registered, active, not being released). */
    RingHandle activeHandle() {
        RingHandle h = handle;
        return h != null && h.isActive() && !release.isReleasing() ? h : null;
    }

    /** The kernel says the socket takes bytes again (or failed: the next write meets it). */
    void writeReadyAgain() {
        writeReady = true;
        readinessChanged();
    }

    // =====================================================================================
    // Release: close and detach (I/O thread)

    @Override
    protected void engineRelease(boolean keepFd, Runnable whenReleased) {
        release.release(keepFd, whenReleased);
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        release.finish();
    }

    RingHandle handle() {
        return handle;
    }

    /** Whether a close should linger to send accepted output first. */
    boolean hasOutputToLinger() {
        synchronized (out) {
            return !out.isEmpty() && !out.hasWriteFailure() && handle != null;
        }
    }

    long pendingOutputBytes() {
        synchronized (out) {
            return out.size();
        }
    }

    /** Nothing is in flight any more: the buffers go back (received bytes travel if the fd is kept). */
    void freeBuffers(boolean keepFd) {
        in.release(keepFd);
        synchronized (out) {
            out.failed();
            out.free();
        }
    }

    void releasedFromEngine() {
        notifyReleased();
    }

    @Override
    public void onRingClosing(RingHandle h) {
        // The ring goes with its thread: end the connection as a worker shutdown does.
        forceTermination();
    }
}
