package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.ForceTerminable;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.loop.ReadyTarget;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.WriteReadyHandler;

/**
 * The readiness half of a native connection: XNIO's resume/suspend/wakeup for both directions,
 * level-triggered dispatch of the ready handlers on the I/O thread, and the blocking awaits of
 * other threads. {@link NativeStreamConnection} adds the bytes, shutdowns, close and detach.
 * <p>
 * Engines set {@link #readReady}/{@link #writeReady} when the kernel says so and call
 * {@link #readinessChanged()}. A resumed direction whose ready flag is set is dispatched on the
 * I/O thread, and dispatched again each loop iteration while it stays ready, which is what NIO's
 * level-triggered selector does. A reader clears {@code readReady} before it asks the kernel,
 * so an event that arrives during the call is never lost.
 */
public abstract class DispatchingConnection extends StreamConnection implements ReadyTarget, ForceTerminable {

    protected final NativeIoThread ioThread;
    protected final ConnectionCore core;

    /** The kernel may have data (or EOF) for us; engines set it, readers clear it. */
    protected volatile boolean readReady;
    /** The kernel may take more output; engines maintain it. */
    protected volatile boolean writeReady = true;

    private ReadReadyHandler readHandler;
    private WriteReadyHandler writeHandler;
    volatile boolean readResumed;
    volatile boolean writeResumed;
    private volatile boolean readWakeup;
    private volatile boolean writeWakeup;
    /** Set once the connection left its engine (detach): nothing is dispatched any more. */
    volatile boolean detached;
    /** Queued in this iteration's ready pass; I/O thread only. */
    private boolean scheduled;
    private final AtomicBoolean remoteScheduled = new AtomicBoolean();
    private final Runnable remoteDispatch = this::remoteDispatch;

    private final Object awaitLock = new Object();
    private volatile int waiters;
    /** Set by the first {@link #forceTermination()}; only the I/O thread calls it. */
    private boolean forceTerminated;

    DispatchingConnection(NativeIoThread ioThread, ConnectionCore core) {
        super(ioThread);
        this.ioThread = ioThread;
        this.core = core;
    }

    /** The output the engine accepted and the kernel does not hold yet (locked on itself). */
    protected abstract PendingOutput pendingOutput();

    /** Whether accepted output has not reached the kernel yet. */
    protected final boolean hasPendingOutput() {
        PendingOutput out = pendingOutput();
        synchronized (out) {
            return !out.isEmpty();
        }
    }

    /** Drops accepted output that has not reached the kernel. */
    protected final void discardPendingOutput() {
        PendingOutput out = pendingOutput();
        synchronized (out) {
            out.discardUnsent();
        }
    }

    /** Reads were resumed: engine hooks run here. */
    abstract void resumedReads();

    /** Hook: writes were resumed. */
    protected void writesResumed() {
    }

    /** Hook: a thread is about to wait for readiness (engines without standing interest arm a poll). */
    protected void awaitingReadable() {
    }

    protected void awaitingWritable() {
    }

    // =====================================================================================
    // Dispatch

    /**
     * Engines call this after changing a ready flag; dispatches from the I/O thread, or wakes
     * the threads waiting in {@code await*}.
     */
    protected final void readinessChanged() {
        wakeWaiters();
        if (wantsDispatch()) {
            schedule();
        }
    }

    private boolean wantsDispatch() {
        return (readResumed && (readReady || readWakeup)) || (writeResumed && (writeReady || writeWakeup));
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
        if (!detached && !core.isClosing() && wantsDispatch()) {
            scheduled = true;
            ioThread.scheduleReady(this);
        }
    }

    // =====================================================================================
    // Reads: resume, suspend, wake up, handler

    public final void suspendReads() {
        readResumed = false;
    }

    public final void resumeReads() {
        readResumed = true;
        resumedReads();
        readinessChanged();
    }

    public final void wakeupReads() {
        readWakeup = true;
        resumeReads();
    }

    public final boolean isReadResumed() {
        return readResumed;
    }

    public final XnioIoThread getReadThread() {
        return ioThread;
    }

    public final void setReadReadyHandler(ReadReadyHandler handler) {
        this.readHandler = handler;
    }

    /** Input ended: the read handler hears of it once, and waiters wake. */
    final void readTerminated() {
        ReadReadyHandler h = readHandler;
        if (h != null) {
            try {
                h.terminated();
            } catch (Throwable ignored) {
                // a handler's failure to clean up does not stop the shutdown
            }
        }
        wakeWaiters();
    }

    // =====================================================================================
    // Writes: resume, suspend, wake up, handler

    public final void suspendWrites() {
        writeResumed = false;
    }

    public final void resumeWrites() {
        writeResumed = true;
        writesResumed();
        readinessChanged();
    }

    public final void wakeupWrites() {
        writeWakeup = true;
        resumeWrites();
    }

    public final boolean isWriteResumed() {
        return writeResumed;
    }

    public final XnioIoThread getWriteThread() {
        return ioThread;
    }

    public final void setWriteReadyHandler(WriteReadyHandler handler) {
        this.writeHandler = handler;
    }

    /** Output ended: the write handler hears of it once, and waiters wake. */
    final void writeTerminated() {
        WriteReadyHandler h = writeHandler;
        if (h != null) {
            try {
                h.terminated();
            } catch (Throwable ignored) {
                // as for reads
            }
        }
        wakeWaiters();
    }

    // =====================================================================================
    // Waiting from other threads

    public final void awaitReadable() throws IOException {
        awaitReadable(-1, TimeUnit.MILLISECONDS);
    }

    public final void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        awaitReady(true, time < 0 ? -1 : timeUnit.toNanos(time));
    }

    public final void awaitWritable() throws IOException {
        awaitWritable(-1, TimeUnit.MILLISECONDS);
    }

    public final void awaitWritable(long time, TimeUnit timeUnit) throws IOException {
        awaitReady(false, time < 0 ? -1 : timeUnit.toNanos(time));
    }

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
                throw new InterruptedIOException();
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

    /** Wakes the threads blocked in an await, if any (they look at the flags again). */
    final void wakeWaiters() {
        if (waiters > 0) {
            synchronized (awaitLock) {
                awaitLock.notifyAll();
            }
        }
    }

    // =====================================================================================
    // Guarding system calls made off the I/O thread

    /**
     * Holds the close guard when called off the I/O thread, so the fd cannot close under the
     * system call that follows; on the I/O thread (which alone closes the fd) it does nothing.
     * Always pair it with {@link #leaveGuard}: <pre>
     * boolean guarded = enterGuard();
     * try { ... } finally { leaveGuard(guarded); }</pre>
     *
     * @return whether the guard is held
     * @throws ClosedChannelException off the I/O thread, if the connection is closing
     */
    protected final boolean enterGuard() throws ClosedChannelException {
        if (ioThread.inThisThread()) {
            return false;
        }
        core.enter();
        return true;
    }

    /** Ends what {@link #enterGuard} started; a close that waited for it then finishes. */
    protected final void leaveGuard(boolean guarded) {
        if (guarded) {
            core.exit();
        }
    }

    /** A system call that gives a value. */
    protected interface SysCall<T> {
        T call() throws IOException;
    }

    /**
     * Runs a system call under the close guard (off the I/O thread), and refuses it on a closing
     * connection on any thread. Allocates for its lambda: not for the hot path.
     */
    protected final <T> T guarded(SysCall<T> call) throws IOException {
        if (core.isClosing()) {
            throw new ClosedChannelException();
        }
        boolean guarded = enterGuard();
        try {
            return call.call();
        } finally {
            leaveGuard(guarded);
        }
    }

    // =====================================================================================
    // Worker shutdown

    /**
     * Worker shutdown: lets the front end close its channel first (XNIO's
     * {@link org.xnio.conduits.TerminateHandler#forceTermination()} contract: Undertow closes an
     * HTTP/2 or TLS connection its own way), then closes whatever is left.
     */
    @Override
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
        IoUtils.safeClose(this);
    }
}
