package dev.adaptiveio.epoll;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.Linger;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.conn.PendingOutput;
import dev.adaptiveio.core.conn.OutboundBuffer;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollListener;
import org.xnio.IoUtils;

/**
 * A TCP connection on edge-triggered epoll.
 * <p>
 * The fd is registered for IN|RDHUP, edge-triggered; OUT joins only while a write has fallen
 * short ({@link OutInterest}). Suspending and resuming are flags, not system calls. Reads go
 * straight to the kernel. Writes made on the I/O thread are gathered into an
 * {@link OutboundBuffer} and leave at the end of the loop iteration (or of its chunk of ready
 * connections, {@link EpollIoThread#flushChunk()}) in one {@code write}; a
 * write that would not fit is sent at once, together with what was gathered, in one
 * {@code writev}. Writes from other threads go straight out.
 * <p>
 * Edge-triggered means the kernel reports a change once: every path that clears a ready flag
 * must be sure no edge is lost. The rules, each argued where it applies:
 * <ul>
 * <li>A flag is cleared <em>before</em> the system call that may find the socket exhausted,
 * never after: an edge that arrives during the call (on the I/O thread, while another thread
 * reads or writes) sets it again.</li>
 * <li>It is set again after the call only when the call did not prove exhaustion: a read that
 * filled the buffer, a write that took everything.</li>
 * <li>The peer's FIN is sticky ({@link #peerInputClosed}): it is reported once, in the same
 * edge as the data before it when both arrive together, and a short read of that data would
 * otherwise drop the only edge the EOF gets.</li>
 * <li>Resume/suspend are flags and cannot lose an edge. Registering (accept, connect, adopt) is
 * EPOLL_CTL_ADD, which reports what is already ready, so bytes or a FIN that came before the
 * registration raise the first event.</li>
 * <li>{@code writeReady} is cleared only before a write (sendNow, sendGathered; a short
 * sendfile goes the same way). A write the kernel took whole sets it again; a write that fell
 * short calls {@link #writeFellShort()}, which adds OUT with EPOLL_CTL_MOD while the output
 * lock is still held. MOD re-evaluates readiness as ADD does, so room that appeared between
 * the short write and the MOD raises an event: the EPOLLOUT edge cannot be lost, whichever
 * thread wrote. Invariant, under the output lock: {@code writeReady == false} implies OUT is
 * in the interest set.</li>
 * <li>OUT is dropped again on an OUT event that leaves the output idle (nothing gathered, the
 * last write taken whole): nothing waits for an edge then. Plain keep-alive, whose responses
 * fit, therefore makes no epoll_ctl at all; a response that backs up costs one MOD to add OUT
 * and one to drop it, as NIO's interest toggling does. Keeping OUT instead would make every
 * later read event arrive as IN|OUT, which Netty allocates two objects for.</li>
 * </ul>
 */
final class EpollStreamConnection extends NativeStreamConnection implements EpollListener, FlushTarget {

    private final NativeSocket socket;
    /**
     * Guards the output path (the I/O thread flushes while a worker thread may write) and the
     * epoll interest, which changes with it.
     */
    private final OutboundBuffer out = new OutboundBuffer();
    private final OutInterest interest = new OutInterest();
    private boolean flushScheduled;
    private final Linger linger = new Linger();
    private boolean releasedFromEngine;
    /**
     * The kernel reported the peer's FIN (RDHUP/HUP) or an error: input is readable until a
     * read returns -1 or fails, whatever a short read says. Never cleared (TCP does not reopen).
     */
    private volatile boolean peerInputClosed;

    EpollStreamConnection(EpollIoThread thread, ConnectionCore core) throws IOException {
        super(thread, core);
        this.socket = core.socket();
        // Bytes or a FIN already queued in the kernel raise an event at registration (epoll
        // reports current readiness on EPOLL_CTL_ADD); only carried bytes need the flag now.
        // Setting it without the kernel's word would make awaitReadable return at once.
        this.readReady = core.hasCarried();
        if (thread.inThisThread()) {
            register();
        } else {
            thread.execute(() -> {
                try {
                    register();
                } catch (IOException e) {
                    CoreLogger.LOG.closeFailed(e, this);
                    IoUtils.safeClose(this);
                }
            });
        }
    }

    private void register() throws IOException {
        EpollIoThread thread = (EpollIoThread) ioThread;
        if (core.isClosing()) {
            return;
        }
        synchronized (out) {
            interest.register(thread.epoll(), core.fd(), this);
        }
        thread.track(this);
    }

    // ---- events

    @Override
    public void onEpollEvents(int ops) {
        if ((ops & (EpollFlags.RDHUP | EpollFlags.HUP | EpollFlags.ERR)) != 0) {
            // Before readReady: a reader that sees the flag set also sees why it stays set.
            peerInputClosed = true;
        }
        if ((ops & (EpollFlags.IN | EpollFlags.RDHUP | EpollFlags.HUP | EpollFlags.ERR)) != 0) {
            readReady = true;
        }
        if ((ops & (EpollFlags.OUT | EpollFlags.HUP | EpollFlags.ERR)) != 0) {
            writeReady = true;
            synchronized (out) {
                if (!out.isEmpty()) {
                    sendGathered();
                }
                if (linger.isActive() && (out.isEmpty() || out.hasWriteFailure())) {
                    release(false);
                    return;
                }
                if (out.isEmpty() && writeReady && !out.hasWriteFailure()) {
                    // Idle again (see the class comment): under the lock, so no short write by
                    // another thread can come between this check and the MOD.
                    dropOutInterest();
                }
            }
        }
        readinessChanged();
    }

    // ---- reads

    @Override
    protected int engineRead(ByteBuffer dst) throws IOException {
        int want = NativeSocket.readSize(dst);
        if (want == 0) {
            return 0;
        }
        // Clear before asking: an edge that arrives during the call sets it again.
        readReady = false;
        int n = -1; // stays -1 when the read throws: the error (a reset) stays readable, as on NIO
        try {
            boolean guarded = enterGuard();
            try {
                n = socket.read(dst);
            } finally {
                leaveGuard(guarded);
            }
        } finally {
            if (n == want || n < 0 || peerInputClosed) {
                // Maybe more (a full buffer); or the FIN came with the data we just read, in the one
                // edge it gets, so the -1 still waits; or end of stream or an error, which stay
                // readable (no further edge would come for them).
                readReady = true;
            }
        }
        return n;
    }

    @Override
    protected long engineRead(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer dst = dsts[i];
            if (!dst.hasRemaining()) {
                continue;
            }
            int want = NativeSocket.readSize(dst);
            int n = engineRead(dst);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    // ---- writes

    @Override
    protected int engineWrite(ByteBuffer src) throws IOException {
        if (!ioThread.inThisThread()) {
            return (int) engineWrite(new ByteBuffer[] {src}, 0, 1);
        }
        ByteBuffer[] one = ((EpollIoThread) ioThread).singleScratch();
        synchronized (out) {
            one[0] = src;
            try {
                return (int) writeLocked(one, 0, 1);
            } finally {
                one[0] = null;
            }
        }
    }

    @Override
    protected long engineWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            synchronized (out) {
                return writeLocked(srcs, offset, length);
            }
        } finally {
            afterOffThreadWrite();
        }
    }

    /**
     * A write from another thread cleared writeReady for the length of its system call, so a
     * dispatch that looked then saw "not ready" and did not come back: look again now. Outside
     * the output lock (an awaiting thread holds the await lock and then takes the output lock).
     */
    private void afterOffThreadWrite() {
        if (!ioThread.inThisThread()) {
            readinessChanged();
        }
    }

    private long writeLocked(ByteBuffer[] srcs, int offset, int length) throws IOException {
        checkOutput();
        boolean inLoop = ioThread.inThisThread();
        if (!out.isEmpty() && !writeReady) {
            // The kernel was full: nothing more until EPOLLOUT drains what we hold.
            return 0;
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        if (total == 0) {
            return 0;
        }
        if (inLoop && total <= out.room()) {
            out.append(srcs, offset, length);
            if (!flushScheduled) {
                flushScheduled = true;
                ioThread.scheduleFlush(this);
            }
            return total;
        }
        return sendNow(srcs, offset, length, inLoop);
    }

    /** Sends what was gathered and then {@code srcs}, in one system call where possible. */
    private long sendNow(ByteBuffer[] srcs, int offset, int length, boolean inLoop) throws IOException {
        boolean guarded = enterGuard();
        try {
            int gathered = out.size();
            ByteBuffer[] array;
            int arrayOffset;
            int arrayLength;
            if (gathered == 0) {
                array = srcs;
                arrayOffset = offset;
                arrayLength = length;
            } else {
                ByteBuffer[] scratch = inLoop ? ((EpollIoThread) ioThread).sendScratch() : null;
                array = scratch != null && scratch.length > length ? scratch : new ByteBuffer[length + 1];
                array[0] = out.pending();
                System.arraycopy(srcs, offset, array, 1, length);
                arrayOffset = 0;
                arrayLength = length + 1;
            }
            long n;
            // Cleared before the call (see the class comment): an EPOLLOUT edge handled by the
            // I/O thread while another thread is inside this write sets it again.
            writeReady = false;
            try {
                n = socket.write(array, arrayOffset, arrayLength);
                long fromGathered = Math.min(n, gathered);
                if (fromGathered > 0) {
                    out.sent(fromGathered);
                }
                long wanted = 0;
                for (int i = offset; i < offset + length; i++) {
                    wanted += srcs[i].remaining();
                }
                if (fromGathered == gathered && wanted == 0) {
                    // Everything was taken: the kernel may take more.
                    writeReady = true;
                } else {
                    writeFellShort();
                }
                return n - fromGathered;
            } catch (IOException e) {
                out.discardUnsent();
                // Let the next write (or the write listener) meet the failure rather than wait.
                writeReady = true;
                throw e;
            } finally {
                if (array != srcs) {
                    Arrays.fill(array, 0, arrayLength, null);
                }
            }
        } finally {
            leaveGuard(guarded);
        }
    }

    /**
     * A write left bytes the kernel would not take: EPOLLOUT must tell us when it has room. Call
     * with the output lock held, right after that write, which cleared {@code writeReady} before
     * it started (the class comment's rules). Any thread; small and cheap when OUT is already in.
     */
    void writeFellShort() throws IOException {
        interest.add();
    }

    private void dropOutInterest() {
        try {
            interest.drop();
        } catch (IOException e) {
            // The fd is no longer usable: the next write or read meets the failure.
            out.writeFailed(e);
            readReady = true;
        }
    }

    /** End of the loop iteration: what this connection gathered leaves now. */
    @Override
    public void flushGathered() {
        boolean tell;
        synchronized (out) {
            flushScheduled = false;
            boolean held = !out.isEmpty();
            if (held && !core.isClosing()) {
                sendGathered();
            }
            // A failure made reads ready so that the reader learns of it: dispatch it. Drained
            // output wakes threads in awaitWritable, which wait for it to reach the kernel.
            tell = out.hasWriteFailure() || (held && out.isEmpty());
        }
        if (tell) {
            readinessChanged();
        }
    }

    /** Sends gathered bytes; a failure is kept for the next write or flush to report. */
    private void sendGathered() {
        try {
            ByteBuffer pending = out.pending();
            int want = pending.remaining();
            // Cleared before the call, set again only when everything was taken (see the class
            // comment): a concurrent EPOLLOUT edge cannot be overwritten.
            writeReady = false;
            int n = socket.write(pending);
            out.sent(n);
            if (n == want) {
                writeReady = true;
            } else {
                writeFellShort();
            }
        } catch (IOException e) {
            writeReady = true;
            out.writeFailed(e);
            out.discardUnsent();
            // Whoever reads next learns of the broken connection.
            readReady = true;
        }
    }

    @Override
    protected PendingOutput pendingOutput() {
        return out;
    }

    @Override
    protected boolean engineFlush(boolean mustSend) throws IOException {
        boolean inLoop = ioThread.inThisThread();
        boolean drained = false;
        try {
            synchronized (out) {
                checkOutput();
                if (out.isEmpty()) {
                    return true;
                }
                if (inLoop && writeReady && !mustSend) {
                    // It leaves at the end of this iteration, with whatever else gets written.
                    return true;
                }
                sendGatheredGuarded();
                checkOutput();
                drained = out.isEmpty();
                return drained;
            }
        } finally {
            if (!inLoop || drained) {
                // Off the I/O thread: see afterOffThreadWrite. Drained here: awaitWritable waits
                // for the output to reach the kernel, and no event will say it did.
                readinessChanged();
            }
        }
    }

    private void sendGatheredGuarded() throws IOException {
        boolean guarded = enterGuard();
        try {
            sendGathered();
        } finally {
            leaveGuard(guarded);
        }
    }

    /** A file waits for the gathered output; when that cannot all go, EPOLLOUT wakes the writer. */
    @Override
    protected boolean drainBeforeFile() throws IOException {
        if (!writeReady) {
            return false;
        }
        // A short send here calls writeFellShort itself: EPOLLOUT wakes the writer.
        sendGatheredGuarded();
        checkOutput();
        return out.isEmpty();
    }

    @Override
    protected void sendFileFellShort() throws IOException {
        writeFellShort();
    }

    // ---- release

    @Override
    protected void engineRelease(boolean keepFd, Runnable whenReleased) {
        if (keepFd) {
            synchronized (out) {
                out.discardUnsent();
            }
            release(true);
            whenReleased.run();
            return;
        }
        synchronized (out) {
            if (!out.isEmpty() && !out.hasWriteFailure() && !ioThread.isShutdownRequested()) {
                // Undertow was told this output was flushed: send it before the fd goes.
                sendGathered();
                if (!out.isEmpty() && !out.hasWriteFailure()) {
                    linger.start(ioThread, this::lingerExpired);
                    return;
                }
            }
            out.discardUnsent();
        }
        release(false);
        whenReleased.run();
    }

    private void lingerExpired() {
        synchronized (out) {
            CoreLogger.LOG.lingerExpired(this, out.size(), Linger.MILLIS);
            out.discardUnsent();
        }
        release(false);
    }

    private void release(boolean keepFd) {
        linger.end();
        if (!releasedFromEngine) {
            synchronized (out) {
                interest.cancel();
            }
            releasedFromEngine = true;
            ioThread.untrack(this);
            notifyReleased();
        }
        if (!keepFd) {
            // Waits for any other thread still inside a system call on the fd.
            core.closeFdIfIdle();
        }
    }
}
