package dev.adaptiveio.core.loop;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.natives.IoPoller;
import dev.adaptiveio.core.natives.LockFreeQueues;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.BoundChannel;

/**
 * An XNIO I/O thread running one engine's event loop.
 * <p>
 * One iteration: poll the engine (blocking only when nothing is queued, at most until the next
 * timer), which dispatches ready connections; run due timers; run the ready queue and the task
 * queue until both are quiet (Undertow re-parses pipelined requests in queued tasks); then send
 * what connections gathered during the iteration ({@link FlushTarget}). Everything a connection writes in one iteration
 * can therefore leave in one system call. An engine may send after every {@link #flushChunk()}
 * ready connections instead, each chunk's queued work run first.
 */
public abstract class NativeIoThread extends XnioIoThread {

    private static final int MAX_QUIET_PASSES = 256;
    private static final long SHUTDOWN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LoopOwner owner;
    private final EngineId engine;
    private final Queue<Runnable> tasks = LockFreeQueues.newMpscQueue();
    private final ArrayDeque<ReadyTarget> ready = new ArrayDeque<>();
    private final ArrayList<FlushTarget> gathered = new ArrayList<>();
    private final TimerQueue timers = new TimerQueue();
    private final Set<Closeable> resources = Collections.newSetFromMap(new IdentityHashMap<>());
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean shutdownRequested;
    /**
     * Set once the loop has ended for good: from then on {@link #execute} runs a
     * {@link MustRunTask} itself. Volatile, and read by {@code execute} after it queued: a task
     * queued by a thread that still saw it clear is drained by {@link #finish()}, which sets it
     * before it drains (each side writes, then reads the other's write: one of them sees it).
     */
    private volatile boolean ended;
    /** Whether this iteration's poll already waits only briefly because the thread is closing. */
    private boolean pollingWhileClosing;
    private final BooleanSupplier mayBlock = this::mayBlock;
    private IoPoller poller;
    /** See {@link #flushChunk()}; set when the thread starts. */
    private int flushChunk = Integer.MAX_VALUE;

    protected <W extends XnioWorker & LoopOwner> NativeIoThread(W worker, int number, EngineId engine, String name,
                                                                ThreadGroup group, long stackSize) {
        super(worker, number, group, name, stackSize);
        this.owner = worker;
        this.engine = engine;
    }

    /**
     * Ready connections dispatched in one iteration before what they gathered is sent (the
     * default: all of them, at the iteration's end). An engine whose send is the system call
     * itself may bound it, so a response does not wait for every other ready connection; each
     * chunk's queued work (pipelined re-parses) runs before its send. Called once, when the
     * thread starts.
     */
    protected int flushChunk() {
        return Integer.MAX_VALUE;
    }

    /** Creates this thread's poller; called on this thread when it starts. */
    protected abstract IoPoller createPoller() throws IOException;

    protected final IoPoller poller() {
        return poller;
    }

    /** The engine this thread belongs to, and what it can do. */
    public final EngineId engineId() {
        return engine;
    }

    /** The engine's name as users see it: {@code epoll} or {@code io_uring}. */
    public final String engineName() {
        return engine.providerName();
    }

    public final boolean inThisThread() {
        return Thread.currentThread() == this;
    }

    // ---- the loop

    @Override
    public final void run() {
        flushChunk = Math.max(1, flushChunk());
        try {
            poller = createPoller();
            poller.initialize();
        } catch (Throwable t) {
            CoreLogger.LOG.loopFailure(t, engineName(), getName());
            shutdownRequested = true;
            finish();
            return;
        }
        try {
            loop();
        } finally {
            finish();
        }
    }

    private void loop() {
        boolean closing = false;
        for (;;) {
            try {
                long deadline = timers.nextDeadline();
                pollingWhileClosing = shutdownRequested;
                if (pollingWhileClosing) {
                    // Closing: wait for the engine's completions in short steps instead of spinning.
                    long soon = System.nanoTime() + SHUTDOWN_POLL_NANOS;
                    deadline = deadline == -1L ? soon : Math.min(deadline, soon);
                }
                poller.poll(mayBlock, deadline);
                // Timers run after the poll, so what they write leaves in this iteration's flush.
                timers.runDue(System.nanoTime(), this);
                runUntilQuiet();
                flushGathered();
                if (shutdownRequested) {
                    if (!closing) {
                        closing = true;
                        closeAllResources();
                        runUntilQuiet();
                        flushGathered();
                    }
                    if (resources.isEmpty() && tasks.isEmpty() && ready.isEmpty()) {
                        return;
                    }
                    // A resource that lingers (unsent output) is given more iterations; the
                    // poll above does not block while shutting down.
                    closeAllResources();
                }
            } catch (Throwable t) {
                CoreLogger.LOG.loopFailure(t, engineName(), getName());
            }
        }
    }

    /**
     * Asked by the poller after it has announced that it is going to wait, so anything queued
     * before that moment is seen here and anything queued after it wakes the poller.
     */
    private boolean mayBlock() {
        return tasks.isEmpty() && ready.isEmpty() && (pollingWhileClosing || !shutdownRequested);
    }

    private void runUntilQuiet() {
        for (int pass = 0; pass < MAX_QUIET_PASSES; pass++) {
            int n = ready.size();
            int chunkEnd = flushChunk;
            for (int i = 0; i < n; i++) {
                ReadyTarget target = ready.poll();
                try {
                    target.dispatchReady();
                } catch (Throwable t) {
                    CoreLogger.LOG.listenerFailed(t, target);
                }
                if (i + 1 == chunkEnd && chunkEnd < n) {
                    chunkEnd += flushChunk;
                    // A chunk of a busy iteration is done: finish the work it queued (Undertow's
                    // pipelined re-parse) and send what it gathered, so its responses do not wait
                    // for every other ready connection; each pipelined burst still leaves together.
                    runTasks();
                    flushGathered();
                }
            }
            runTasks();
            if (tasks.isEmpty()) {
                // Ready targets left now were re-queued because they stay ready: next iteration.
                return;
            }
        }
    }

    private void runTasks() {
        Runnable task;
        int budget = 4096;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            safeRun(task);
        }
    }

    private void flushGathered() {
        ArrayList<FlushTarget> list = gathered;
        for (int i = 0; i < list.size(); i++) {
            try {
                list.get(i).flushGathered();
            } catch (Throwable t) {
                CoreLogger.LOG.listenerFailed(t, list.get(i));
            }
        }
        list.clear();
    }

    private void closeAllResources() {
        for (Closeable c : new ArrayList<>(resources)) {
            if (c instanceof ForceTerminable) {
                ((ForceTerminable) c).forceTermination();
            } else {
                IoUtils.safeClose(c);
            }
        }
    }

    private void finish() {
        try {
            if (poller != null) {
                poller.close();
            }
        } catch (Throwable t) {
            CoreLogger.LOG.closeFailed(t, poller);
        }
        timers.clear();
        ended = true;
        drainAfterLoop();
        terminated.countDown();
        owner.ioThreadTerminated(this);
    }

    /**
     * Once the loop has ended: runs the queued {@link MustRunTask}s without it and drops the other
     * tasks, as XNIO's NIO threads drop tasks queued too late. The finishing thread and late
     * callers of {@code execute} may both drain: the lock keeps the queue single-consumer.
     */
    private void drainAfterLoop() {
        synchronized (tasks) {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                if (r instanceof MustRunTask) {
                    runWithoutLoop((MustRunTask) r);
                }
            }
        }
    }

    private void runWithoutLoop(MustRunTask task) {
        try {
            task.runWithoutLoop();
        } catch (Throwable t) {
            CoreLogger.LOG.taskFailed(t, getName());
        }
    }

    final void safeRun(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            CoreLogger.LOG.taskFailed(t, getName());
        }
    }

    // ---- scheduling for the engine's connections (I/O thread only unless noted)

    /** Queues a ready target for this iteration's ready pass; I/O thread only. */
    public final void scheduleReady(ReadyTarget target) {
        ready.add(target);
    }

    /** Asks for {@link FlushTarget#flushGathered()} at the end of this iteration; I/O thread only. */
    public final void scheduleFlush(FlushTarget target) {
        gathered.add(target);
    }

    /** Tracks a resource to close when the thread shuts down; I/O thread only. */
    public final void track(Closeable resource) {
        resources.add(resource);
    }

    public final void untrack(Closeable resource) {
        resources.remove(resource);
    }

    public final int trackedCount() {
        return resources.size();
    }

    /** Runs the task on this thread: now if already on it, else queued. */
    public final void runOnThread(Runnable task) {
        if (inThisThread()) {
            task.run();
        } else {
            execute(task);
        }
    }

    // ---- acceptStreamConnection: one inbound connection on a bind address

    @Override
    protected IoFuture<StreamConnection> acceptTcpStreamConnection(InetSocketAddress destination,
            ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return owner.acceptOne(this, destination, openListener, bindListener, optionMap);
    }

    @Override
    protected IoFuture<StreamConnection> acceptLocalStreamConnection(LocalSocketAddress destination,
            ChannelListener<? super StreamConnection> openListener,
            ChannelListener<? super BoundChannel> bindListener, OptionMap optionMap) {
        return owner.acceptOne(this, destination, openListener, bindListener, optionMap);
    }

    // ---- XnioExecutor

    /**
     * Queues a task for the loop. Once the loop has ended, a {@link MustRunTask} runs
     * {@link MustRunTask#runWithoutLoop() without it} on the caller, and other tasks are refused.
     */
    @Override
    public void execute(Runnable command) {
        if (ended) {
            if (command instanceof MustRunTask) {
                runWithoutLoop((MustRunTask) command);
                return;
            }
            throw CoreLogger.LOG.threadShutDown(getName());
        }
        tasks.add(command);
        if (ended) {
            // The loop ended while this was queued and may have drained before it: nobody else will.
            drainAfterLoop();
            return;
        }
        if (!inThisThread()) {
            IoPoller p = poller;
            if (p != null) {
                p.wakeup();
            }
        }
    }

    @Override
    public Key executeAfter(Runnable command, long time, TimeUnit unit) {
        long millis = unit.toMillis(time);
        checkNotShutdown();
        if (millis <= 0) {
            execute(command);
            return Key.IMMEDIATE;
        }
        TimerQueue.Timer timer = new TimerQueue.Timer(this, command, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), 0L);
        addTimer(timer);
        return timer;
    }

    @Override
    public Key executeAtInterval(Runnable command, long time, TimeUnit unit) {
        long millis = Math.max(1L, unit.toMillis(time));
        checkNotShutdown();
        long period = TimeUnit.MILLISECONDS.toNanos(millis);
        TimerQueue.Timer timer = new TimerQueue.Timer(this, command, System.nanoTime() + period, period);
        addTimer(timer);
        return timer;
    }

    private void addTimer(TimerQueue.Timer timer) {
        if (inThisThread()) {
            timers.add(timer);
        } else {
            execute(() -> {
                if (!timer.cancelled) {
                    timers.add(timer);
                }
            });
        }
    }

    void timerCancelled(TimerQueue.Timer timer) {
        if (inThisThread()) {
            timers.remove(timer);
        } else {
            try {
                execute(() -> timers.remove(timer));
            } catch (RejectedExecutionException ignored) {
                // the thread is gone and its timers with it
            }
        }
    }

    private void checkNotShutdown() {
        if (shutdownRequested) {
            throw CoreLogger.LOG.threadShutDown(getName());
        }
    }

    // ---- life cycle (called by the worker)

    /** Starts closing everything on this thread; the thread exits once all is closed. */
    public final void requestShutdown() {
        shutdownRequested = true;
        IoPoller p = poller;
        if (p != null) {
            p.wakeup();
        }
    }

    public final boolean isShutdownRequested() {
        return shutdownRequested;
    }

    public final boolean awaitTerminated(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Tasks still queued, for diagnostics. */
    public final List<Runnable> drainTasks() {
        List<Runnable> list = new ArrayList<>();
        Runnable r;
        while ((r = tasks.poll()) != null) {
            list.add(r);
        }
        return list;
    }

    @Override
    public String toString() {
        return getName();
    }
}
