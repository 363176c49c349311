package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.adaptiveio.core.natives.NettyIoPoller;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;

/**
 * One io_uring instance, owned by one I/O thread: the thread's {@link dev.adaptiveio.core.natives.IoPoller}
 * and the place where its file descriptors submit ops ({@link #register}).
 * <p>
 * Ops queued during a loop iteration are submitted together by the next {@link #poll}, in the
 * same {@code io_uring_enter} that waits for completions. With {@code SINGLE_ISSUER} (the
 * default) only the owner thread may submit; every method except {@link #wakeup()} must run on it.
 */
public final class Ring extends NettyIoPoller {

    private static final int[] NEXT_GENERATION = {0};

    private final Thread owner;
    private final RingConfig config;
    private int registered;
    private RingTimer timer;
    private boolean timerFailed;

    // Counters, owner thread only (read them there or accept a stale view).
    long submissions;
    long completions;
    long staleCompletions;
    long unknownCompletions;
    long cancelsSubmitted;

    private Ring(Thread owner, Executor taskExecutor, RingConfig config, IoHandlerFactory factory) {
        super(owner, taskExecutor, factory);
        this.owner = owner;
        this.config = config;
    }

    /**
     * Creates the ring (disabled until {@link #initialize()} runs on {@code owner}).
     *
     * @param taskExecutor runs tasks on {@code owner}; Netty uses it for work handed over from
     *                     other threads
     * @throws IOException naming the cause and the fix when io_uring cannot be used here
     */
    public static Ring open(Thread owner, Executor taskExecutor, RingConfig config) throws IOException {
        IoUringSupport.ensureAvailable();
        try {
            return new Ring(owner, taskExecutor, config, factory(config));
        } catch (RuntimeException | LinkageError e) {
            // Ring memory (RLIMIT_MEMLOCK, cgroup) or limits can fail per ring, after the probe passed.
            UringViability why = UringProbe.classify(UringEnvironment.system(), e);
            throw why.toException();
        }
    }

    private static IoHandlerFactory factory(RingConfig config) {
        IoUringIoHandlerConfig netty = new IoUringIoHandlerConfig()
                .setRingSize(config.ringSize())
                .setSingleIssuer(config.singleIssuer());
        if (IoUringSupport.viability().features().contains(UringFeature.SETUP_CQ_SIZE)) {
            netty.setCqSize(config.cqSize());
        }
        return IoUringIoHandler.newFactory(netty);
    }

    /**
     * Registers {@code fd} on this ring. The ring never closes the fd unless asked through
     * {@link RingHandle#release(boolean)}.
     */
    public RingHandle register(int fd, CompletionListener listener) throws IOException {
        if (!inRingThread()) {
            throw new IllegalStateException("register on " + owner.getName() + " called from "
                    + Thread.currentThread().getName());
        }
        RingHandle handle = new RingHandle(this, fd, listener, nextGeneration());
        IoRegistration registration;
        try {
            registration = handler().register(handle.nettyHandle);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("Cannot register fd " + fd + " on io_uring: " + e.getMessage(), e);
        }
        handle.registered(registration);
        registered++;
        return handle;
    }

    // Distinct generations for successive handles make a mixed-up completion visible as stale.
    private static int nextGeneration() {
        synchronized (NEXT_GENERATION) {
            return NEXT_GENERATION[0]++ & UserDataCodec.GENERATION_MASK;
        }
    }

    void handleReleased(RingHandle handle) {
        registered--;
    }

    public boolean inRingThread() {
        return Thread.currentThread() == owner;
    }

    public Thread owner() {
        return owner;
    }

    public RingConfig config() {
        return config;
    }

    /** Handles registered and not yet released (the ring's own timer not counted). */
    public int registeredCount() {
        return timer != null && timer.isRegistered() ? registered - 1 : registered;
    }

    /** Ops submitted so far (queued for the kernel). */
    public long submissions() {
        return submissions;
    }

    /** Of {@link #submissions()}, the TIMEOUT ops the ring armed to wake at a timer's deadline. */
    public long timeoutsArmed() {
        return timer == null ? 0 : timer.armedCount();
    }

    /** Completions received so far. */
    public long completions() {
        return completions;
    }

    /** Completions of ops submitted before their handle's {@link RingHandle#retire()}, not delivered. */
    public long staleCompletions() {
        return staleCompletions;
    }

    public long cancelsSubmitted() {
        return cancelsSubmitted;
    }

    /** Completions that matched no op in flight; always 0 unless something is badly wrong. */
    public long unknownCompletions() {
        return unknownCompletions;
    }

    /**
     * Waits with this ring's own armed TIMEOUTs ({@link RingTimer}) instead of one per wait
     * from Netty's handler; falls back to Netty's when none can be armed.
     */
    @Override
    public int poll(BooleanSupplier mayBlock, long deadlineNanos) {
        if (deadlineNanos != -1L && timer() != null && timer.cover(deadlineNanos)) {
            deadlineNanos = -1L;
        }
        return super.poll(mayBlock, deadlineNanos);
    }

    private RingTimer timer() {
        if (timer == null && !timerFailed) {
            try {
                timer = new RingTimer(this);
            } catch (IOException | RuntimeException e) {
                // Netty's per-wait TIMEOUT then serves, as before.
                timerFailed = true;
            }
        }
        return timer;
    }

    @Override
    public String toString() {
        return "io_uring ring of " + owner.getName() + " (" + config + ")";
    }
}
