package dev.adaptiveio.adaptive.control;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * Decides, once per tick, which engine accepts a listener's new connections, and carries the decision
 * out through an {@link EngineSwitch}. One per listener; thread-safe (one lock; ticks are rare).
 * <p>
 * Rules, with load = {@link Sample#connectionsPerThread()}:
 * <ul>
 *   <li>on epoll: to io_uring when load &ge; HIGH_WATERMARK ({@link SwitchReason#HIGH_WATERMARK}), or load &ge; UP_THRESHOLD
 *       on SUSTAINED_TICKS consecutive ticks ({@link SwitchReason#SUSTAINED_LOAD});</li>
 *   <li>on io_uring: to epoll when the tick's io_uring error rate &gt; ERROR_REVERT_RATE ({@link SwitchReason#ERROR_REVERT}),
 *       or load &lt; DOWN_THRESHOLD on SUSTAINED_TICKS consecutive ticks ({@link SwitchReason#LOW_LOAD}). Between the two
 *       thresholds nothing moves (hysteresis).</li>
 * </ul>
 * A switch a rule asks for is refused (and counted by {@link RejectReason}), checked in this order:
 * io_uring not usable ({@code NOT_VIABLE}); frozen ({@code FROZEN}); then, except for an error revert: oscillation lock
 * ({@code OSCILLATION_LOCK}), cooldown ({@code COOLDOWN}), average response &ge; LARGE_PAYLOAD_BYTES
 * ({@code LARGE_PAYLOAD}), and for an up-switch an io_uring error rate above ERROR_REVERT_RATE ({@code ERROR_RATE}).
 * Streaks keep counting while a guard refuses, so a switch happens on the first tick the guard lifts.
 * Every automatic switch starts the cooldown and counts towards oscillation: OSCILLATION_SWITCHES of them within
 * OSCILLATION_WINDOW lock automatic switching for OSCILLATION_LOCK.
 * <p>
 * Time comes from the injected {@link NanoClock}, read on every call.
 */
public final class ListenerController implements ListenerControl {

    private final String listener;
    private final ControllerConfig config;
    private final EngineSwitch engineSwitch;
    private final ListenerMetrics metrics;
    private final NanoClock clock;
    private final OscillationGuard oscillation;
    private final long cooldownNanos;

    private Engine active;
    private String ioUringUnusable;
    private int upStreak;
    private int downStreak;
    private int freezeCount;
    private boolean switchedOnce;
    private long lastSwitchNanos;

    /**
     * @param listener     the listener's name for logs, e.g. {@code 0.0.0.0:8080}
     * @param config       thresholds
     * @param start        the start decision; its engine is accepting when the controller is created. Recorded in
     *                     {@code metrics} with the io_uring tier
     * @param ioUring      whether io_uring can be used; when not, up-switches are refused with {@code NOT_VIABLE}
     * @param engineSwitch carries out switches
     * @param metrics      where switches and rejections are counted
     * @param clock        monotonic time
     */
    public ListenerController(String listener, ControllerConfig config, StartDecision start, IoUringAvailability ioUring,
                              EngineSwitch engineSwitch, ListenerMetrics metrics, NanoClock clock) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.engineSwitch = Objects.requireNonNull(engineSwitch, "engineSwitch");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.active = start.engine();
        this.ioUringUnusable = ioUring.unusableReason();
        this.oscillation = new OscillationGuard(config.oscillationSwitches(), nanos(config.oscillationWindow()),
                nanos(config.oscillationLock()));
        this.cooldownNanos = nanos(config.cooldown());
        metrics.recordStart(start, ioUring.usable() ? ioUring.tier() : "UNAVAILABLE");
    }

    /**
     * Applies the rules to one sample (call every {@link ControllerConfig#tick()}); a switch decided here has been
     * carried out when this returns.
     */
    public synchronized Decision tick(Sample sample) {
        long now = clock.nanoTime();
        follow(sample.activeEngine());
        double load = sample.connectionsPerThread();
        if (active == Engine.EPOLL) {
            upStreak = load >= config.upThreshold() ? upStreak + 1 : 0;
            downStreak = 0;
            SwitchReason reason = load >= config.highWatermark() ? SwitchReason.HIGH_WATERMARK
                    : upStreak >= config.sustainedTicks() ? SwitchReason.SUSTAINED_LOAD : null;
            return reason == null ? Decision.NONE : attempt(Engine.IO_URING, reason, sample, now);
        }
        downStreak = load < config.downThreshold() ? downStreak + 1 : 0;
        upStreak = 0;
        if (sample.ioUringErrorRate() > config.errorRevertRate()) {
            return attempt(Engine.EPOLL, SwitchReason.ERROR_REVERT, sample, now);
        }
        if (downStreak >= config.sustainedTicks()) {
            return attempt(Engine.EPOLL, SwitchReason.LOW_LOAD, sample, now);
        }
        return Decision.NONE;
    }

    @Override
    public synchronized Decision forceSwitch(Engine target) {
        Objects.requireNonNull(target, "target");
        if (target == active) {
            return Decision.NONE;
        }
        if (target == Engine.IO_URING && ioUringUnusable != null) {
            metrics.recordRejection(RejectReason.NOT_VIABLE);
            throw new IllegalStateException("Cannot switch listener " + listener + " to io_uring: " + ioUringUnusable);
        }
        IOException failure = carryOut(target);
        if (failure != null) {
            metrics.recordRejection(RejectReason.SWITCH_FAILED);
            throw new IllegalStateException("Listener " + listener + " could not switch to " + target + ": " + failure.getMessage(), failure);
        }
        switched(target, SwitchReason.FORCED, clock.nanoTime());
        ControlLogger.LOG.forced(listener, target.providerName());
        return Decision.switched(target, SwitchReason.FORCED);
    }

    @Override
    public synchronized int freeze() {
        return ++freezeCount;
    }

    @Override
    public synchronized int unfreeze() {
        if (freezeCount == 0) {
            throw new IllegalStateException("Listener " + listener + " is not frozen: unfreeze() without a matching freeze()");
        }
        return --freezeCount;
    }

    @Override
    public synchronized int freezeCount() {
        return freezeCount;
    }

    /** The engine the controller believes is accepting. */
    public synchronized Engine activeEngine() {
        return active;
    }

    /** Why io_uring cannot be used, or {@code null} when it can. */
    public synchronized String ioUringUnusableReason() {
        return ioUringUnusable;
    }

    /** Time left before a load switch may happen again; zero when none is pending. */
    public synchronized Duration cooldownRemaining() {
        if (!switchedOnce) {
            return Duration.ZERO;
        }
        long elapsed = clock.nanoTime() - lastSwitchNanos;
        return elapsed >= cooldownNanos ? Duration.ZERO : Duration.ofNanos(cooldownNanos - elapsed);
    }

    /** Time left in the oscillation lock; zero when not locked. */
    public synchronized Duration oscillationLockRemaining() {
        return Duration.ofNanos(oscillation.remainingNanos(clock.nanoTime()));
    }

    public ControllerConfig config() {
        return config;
    }

    /** The sample is the truth about which engine accepts (e.g. the worker switched without us); adopt it. */
    private void follow(Engine sampled) {
        if (sampled != active) {
            ControlLogger.LOG.engineResynced(listener, active.providerName(), sampled.providerName());
            active = sampled;
            upStreak = 0;
            downStreak = 0;
            metrics.setActiveEngine(sampled);
        }
    }

    private Decision attempt(Engine target, SwitchReason reason, Sample sample, long now) {
        RejectReason refusal = refusal(target, reason, sample, now);
        if (refusal == null && carryOut(target) != null) {
            refusal = RejectReason.SWITCH_FAILED;
        }
        if (refusal != null) {
            metrics.recordRejection(refusal);
            ControlLogger.LOG.rejected(listener, target.providerName(), reason, refusal);
            return Decision.rejected(target, reason, refusal);
        }
        switched(target, reason, now);
        if (reason == SwitchReason.ERROR_REVERT) {
            ControlLogger.LOG.errorRevert(listener, sample.ioUringErrorRate(), config.errorRevertRate());
        } else {
            ControlLogger.LOG.switched(listener, target.providerName(), reason, sample.connectionsPerThread());
        }
        if (oscillation.recordSwitch(now)) {
            ControlLogger.LOG.oscillationLocked(listener, config.oscillationSwitches(), config.oscillationWindow().toSeconds(),
                    config.oscillationLock().toSeconds());
        }
        return Decision.switched(target, reason);
    }

    private RejectReason refusal(Engine target, SwitchReason reason, Sample sample, long now) {
        if (target == Engine.IO_URING && ioUringUnusable != null) {
            return RejectReason.NOT_VIABLE;
        }
        if (freezeCount > 0) {
            return RejectReason.FROZEN;
        }
        if (reason == SwitchReason.ERROR_REVERT) {
            return null; // serving errors is worse than any flapping
        }
        if (oscillation.locked(now)) {
            return RejectReason.OSCILLATION_LOCK;
        }
        if (switchedOnce && now - lastSwitchNanos < cooldownNanos) {
            return RejectReason.COOLDOWN;
        }
        if (sample.averageResponseBytes() >= config.largePayloadBytes()) {
            return RejectReason.LARGE_PAYLOAD;
        }
        if (target == Engine.IO_URING && sample.ioUringErrorRate() > config.errorRevertRate()) {
            return RejectReason.ERROR_RATE;
        }
        return null;
    }

    /** Asks the worker to switch; on failure to reach io_uring, io_uring counts as unusable from now on. */
    private IOException carryOut(Engine target) {
        try {
            engineSwitch.acceptOn(target);
            return null;
        } catch (IOException | RuntimeException e) {
            ControlLogger.LOG.switchFailed(listener, target.providerName(), active.providerName(), e);
            if (target == Engine.IO_URING) {
                ioUringUnusable = "its engine failed to start: " + e;
                metrics.setIoUringTier("UNAVAILABLE");
            }
            return e instanceof IOException ? (IOException) e : new IOException(e.toString(), e);
        }
    }

    private void switched(Engine target, SwitchReason reason, long now) {
        active = target;
        switchedOnce = true;
        lastSwitchNanos = now;
        upStreak = 0;
        downStreak = 0;
        metrics.recordSwitch(reason, target);
    }

    private static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
