package dev.adaptiveio.epoll;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.conn.OutboundBuffer;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollKey;
import dev.adaptiveio.core.natives.epoll.EpollListener;
import org.xnio.XnioExecutor;

/**
 * A TCP connection on edge-triggered epoll.
 * <p>
 * The fd is registered once for IN|OUT|RDHUP, edge-triggered, and never modified: suspending
 * and resuming are flags, not system calls. Reads go straight to the kernel. Writes made on the
 * I/O thread are gathered into an {@link OutboundBuffer} and leave at the end of the loop
 * iteration in one {@code write}; a write that would not fit is sent at once, together with
 * what was gathered, in one {@code writev}. Writes from other threads go straight out.
 */
final class EpollStreamConnection extends NativeStreamConnection implements EpollListener, FlushTarget {

    private static final int INTEREST = EpollFlags.IN | EpollFlags.OUT | EpollFlags.RDHUP | EpollFlags.ET;
    private static final long LINGER_MILLIS = Long.getLong("adaptiveio.linger.millis", 30_000L);

    private final NativeSocket socket;
    /** Guards the output path: the I/O thread flushes while a worker thread may write. */
    private final OutboundBuffer out = new OutboundBuffer();
    private final ByteBuffer[] gatherArray = new ByteBuffer[17];
    private EpollKey key;
    private boolean flushScheduled;
    private IOException deferredWriteFailure;
    private boolean lingering;
    private XnioExecutor.Key lingerTimer;
    private boolean releasedFromEngine;

    EpollStreamConnection(EpollIoThread thread, ConnectionCore core) throws IOException {
        super(thread, core);
        this.socket = core.socket();
        // Data may already wait (an adopted connection, or bytes that came with the SYN-ACK).
        this.readReady = true;
        if (thread.inThisThread()) {
            register();
        } else {
            thread.execute(() -> {
                try {
                    register();
                } catch (IOException e) {
                    CoreLogger.LOG.closeFailed(e, this);
                    org.xnio.IoUtils.safeClose(this);
                }
            });
        }
    }

    private void register() throws IOException {
        EpollIoThread thread = (EpollIoThread) ioThread;
        if (core.isClosing()) {
            return;
        }
        key = thread.epoll().register(core.fd(), INTEREST, this);
        thread.track(this);
    }

    // ---- events

    @Override
    public void onEpollEvents(int ops) {
        if ((ops & (EpollFlags.IN | EpollFlags.RDHUP | EpollFlags.HUP | EpollFlags.ERR)) != 0) {
            readReady = true;
        }
        if ((ops & (EpollFlags.OUT | EpollFlags.HUP | EpollFlags.ERR)) != 0) {
            writeReady = true;
            synchronized (out) {
                if (!out.isEmpty()) {
                    sendGathered();
                }
                if (lingering && (out.isEmpty() || deferredWriteFailure != null)) {
                    release(false);
                    return;
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
        int n;
        if (ioThread.inThisThread()) {
            n = socket.read(dst);
        } else {
            core.enter();
            try {
                n = socket.read(dst);
            } finally {
                if (core.exit()) {
                    finishCloseLater();
                }
            }
        }
        if (n == want || n < 0) {
            // Maybe more (a full buffer), or end of stream, which stays readable.
            readReady = true;
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
        synchronized (out) {
            gatherArray[0] = src;
            try {
                return (int) writeLocked(gatherArray, 0, 1);
            } finally {
                gatherArray[0] = null;
            }
        }
    }

    @Override
    protected long engineWrite(ByteBuffer[] srcs, int offset, int length) throws IOException {
        synchronized (out) {
            return writeLocked(srcs, offset, length);
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
        if (!inLoop) {
            core.enter();
        }
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
                array = new ByteBuffer[length + 1];
                array[0] = out.pending();
                System.arraycopy(srcs, offset, array, 1, length);
                arrayOffset = 0;
                arrayLength = length + 1;
            }
            long n;
            try {
                n = socket.write(array, arrayOffset, arrayLength);
            } catch (IOException e) {
                out.discard();
                throw e;
            }
            long fromGathered = Math.min(n, gathered);
            if (fromGathered > 0) {
                out.sent(fromGathered);
            }
            long fromSrcs = n - fromGathered;
            long wanted = 0;
            for (int i = offset; i < offset + length; i++) {
                wanted += srcs[i].remaining();
            }
            if (fromGathered < gathered || wanted > 0) {
                writeReady = false;
            }
            return fromSrcs;
        } finally {
            if (!inLoop && core.exit()) {
                finishCloseLater();
            }
        }
    }

    /** End of the loop iteration: what this connection gathered leaves now. */
    @Override
    public void flushGathered() {
        synchronized (out) {
            flushScheduled = false;
            if (!out.isEmpty() && !core.isClosing()) {
                sendGathered();
            }
        }
    }

    /** Sends gathered bytes; a failure is kept for the next write or flush to report. */
    private void sendGathered() {
        try {
            ByteBuffer pending = out.pending();
            int want = pending.remaining();
            int n = socket.write(pending);
            out.sent(n);
            if (n < want) {
                writeReady = false;
            }
        } catch (IOException e) {
            deferredWriteFailure = e;
            out.discard();
            // Whoever reads next learns of the broken connection.
            readReady = true;
        }
    }

    private void checkOutput() throws IOException {
        IOException failure = deferredWriteFailure;
        if (failure != null) {
            throw failure;
        }
        if (core.isClosing()) {
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
            boolean inLoop = ioThread.inThisThread();
            if (inLoop && writeReady && !mustSend) {
                // It leaves at the end of this iteration, with whatever else gets written.
                return true;
            }
            if (!inLoop) {
                core.enter();
            }
            try {
                sendGathered();
            } finally {
                if (!inLoop && core.exit()) {
                    finishCloseLater();
                }
            }
            checkOutput();
            return out.isEmpty();
        }
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
            out.discard();
        }
    }

    @Override
    protected void engineShutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    protected void engineShutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    // ---- release

    @Override
    protected void engineRelease(boolean keepFd, Runnable whenReleased) {
        if (keepFd) {
            synchronized (out) {
                out.discard();
            }
            release(true);
            whenReleased.run();
            return;
        }
        synchronized (out) {
            if (!out.isEmpty() && deferredWriteFailure == null && !ioThread.isShutdownRequested()) {
                // Undertow was told this output was flushed: send it before the fd goes.
                sendGathered();
                if (!out.isEmpty() && deferredWriteFailure == null) {
                    if (!lingering) {
                        lingering = true;
                        lingerTimer = ioThread.executeAfter(this::lingerExpired, LINGER_MILLIS, TimeUnit.MILLISECONDS);
                    }
                    return;
                }
            }
            out.discard();
        }
        release(false);
        whenReleased.run();
    }

    private void lingerExpired() {
        synchronized (out) {
            CoreLogger.LOG.lingerExpired(this, out.size(), LINGER_MILLIS);
            out.discard();
        }
        release(false);
    }

    private void release(boolean keepFd) {
        if (lingerTimer != null) {
            lingerTimer.remove();
            lingerTimer = null;
        }
        lingering = false;
        if (!releasedFromEngine) {
            if (key != null) {
                key.cancel();
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
