package dev.adaptiveio.adaptive.control;

import static dev.adaptiveio.adaptive.control.Engine.EPOLL;
import static dev.adaptiveio.adaptive.control.Engine.IO_URING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Every rule of {@link ListenerController}, with synthetic samples and a fake clock. Loads are given in
 * connections per I/O thread; samples use 10 I/O threads so that fractional loads are exact.
 */
class ListenerControllerTest {

    private static final int THREADS = 10;

    private final FakeClock clock = new FakeClock();
    private final RecordingSwitch engineSwitch = new RecordingSwitch();
    private final ListenerMetrics metrics = new ListenerMetrics();

    /**
     * The rules are tested on fixed thresholds (24 up, 48 at once, 12 down) so the loads below
     * read the same whatever the shipped defaults are; {@code AdaptiveSettingsTest.defaultsWhenNothingIsSet} checks those.
     */
    private static ControllerConfig.Builder rules() {
        return ControllerConfig.builder().upThreshold(24).highWatermark(48).downThreshold(12);
    }

    private ListenerController controller(ControllerConfig config, Engine start, IoUringAvailability ioUring) {
        return new ListenerController("127.0.0.1:8080", config, new StartDecision(start, StartGate.DEFAULT, "default"), ioUring,
                engineSwitch, metrics, clock);
    }

    private ListenerController controller(Engine start) {
        return controller(rules().build(), start, IoUringAvailability.viable("DEFER_TASKRUN"));
    }

    /** A sample with all connections on the active engine. */
    private static Sample load(Engine active, double perThread) {
        long connections = Math.round(perThread * THREADS);
        return new Sample(active, THREADS, active == EPOLL ? connections : 0, active == IO_URING ? connections : 0, 512, 0,
                active == IO_URING ? 1000 : 0);
    }

    private static Sample withPayload(Sample s, long averageBytes) {
        return new Sample(s.activeEngine(), s.ioThreads(), s.epollConnections(), s.ioUringConnections(), averageBytes,
                s.ioUringErrors(), s.ioUringOperations());
    }

    private static Sample withErrors(Sample s, long errors, long operations) {
        return new Sample(s.activeEngine(), s.ioThreads(), s.epollConnections(), s.ioUringConnections(), s.averageResponseBytes(),
                errors, operations);
    }

    /** Ticks once a second. */
    private Decision tick(ListenerController c, Sample s) {
        clock.advanceSeconds(1);
        return c.tick(s);
    }

    private static void assertSwitch(Engine target, SwitchReason reason, Decision d) {
        assertTrue(d.isSwitch(), d::toString);
        assertEquals(target, d.target());
        assertEquals(reason, d.reason());
    }

    private static void assertRejected(Engine target, SwitchReason reason, RejectReason rejection, Decision d) {
        assertTrue(d.isRejected(), d::toString);
        assertEquals(target, d.target());
        assertEquals(reason, d.reason());
        assertEquals(rejection, d.rejection());
    }

    /** Moves a fresh default controller onto io_uring (a high-watermark switch) and lets the cooldown pass. */
    private ListenerController onIoUringAfterCooldown() {
        ListenerController c = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 48)));
        clock.advanceSeconds(30);
        return c;
    }

    // --- up-switch

    @Test
    void upSwitchNeedsTheThresholdOnSustainedConsecutiveTicks() {
        ListenerController c = controller(EPOLL);
        assertSame(Decision.NONE, tick(c, load(EPOLL, 24)));
        assertSame(Decision.NONE, tick(c, load(EPOLL, 23.9)), "a dip breaks the streak");
        assertSame(Decision.NONE, tick(c, load(EPOLL, 30)));
        assertSwitch(IO_URING, SwitchReason.SUSTAINED_LOAD, tick(c, load(EPOLL, 24)));
        assertEquals(List.of(IO_URING), engineSwitch.calls);
        assertEquals(IO_URING, c.activeEngine());
        assertEquals(IO_URING, metrics.activeEngine());
        assertEquals(1, metrics.switches(SwitchReason.SUSTAINED_LOAD));
    }

    @Test
    void sustainedTicksIsAKnob() {
        ListenerController c = controller(rules().sustainedTicks(3).build(), EPOLL, IoUringAvailability.viable("BASIC"));
        assertSame(Decision.NONE, tick(c, load(EPOLL, 25)));
        assertSame(Decision.NONE, tick(c, load(EPOLL, 25)));
        assertSwitch(IO_URING, SwitchReason.SUSTAINED_LOAD, tick(c, load(EPOLL, 25)));
    }

    @Test
    void highWatermarkSwitchesAtOnce() {
        ListenerController c = controller(EPOLL);
        assertSame(Decision.NONE, tick(c, load(EPOLL, 47.9)), "just below the watermark waits for a second tick");
        ListenerController fresh = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(fresh, load(EPOLL, 48)));
        assertEquals(1, metrics.switches(SwitchReason.HIGH_WATERMARK));
    }

    @Test
    void loadCountsConnectionsOfBothEngines() {
        ListenerController c = onIoUringAfterCooldown();
        // After the up-switch the old keep-alive connections stay on epoll: the load is still high.
        Sample stillBusy = new Sample(IO_URING, THREADS, 300, 5, 512, 0, 100);
        assertEquals(30.5, stillBusy.connectionsPerThread());
        for (int i = 0; i < 5; i++) {
            assertSame(Decision.NONE, tick(c, stillBusy));
        }
        assertEquals(IO_URING, c.activeEngine());
    }

    // --- down-switch and hysteresis

    @Test
    void downSwitchNeedsLoadBelowTheDownThresholdOnSustainedTicks() {
        ListenerController c = onIoUringAfterCooldown();
        assertSame(Decision.NONE, tick(c, load(IO_URING, 12)), "12 is not below 12");
        assertSame(Decision.NONE, tick(c, load(IO_URING, 11.9)));
        assertSame(Decision.NONE, tick(c, load(IO_URING, 12)), "back at the threshold breaks the streak");
        assertSame(Decision.NONE, tick(c, load(IO_URING, 3)));
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 3)));
        assertEquals(List.of(IO_URING, EPOLL), engineSwitch.calls);
        assertEquals(EPOLL, metrics.activeEngine());
    }

    @Test
    void noFlappingBetweenTheThresholds() {
        ListenerController c = controller(EPOLL);
        double[] between = { 12, 23.9, 13, 20, 12.5, 23, 18 };
        for (int i = 0; i < 100; i++) {
            assertSame(Decision.NONE, tick(c, load(EPOLL, between[i % between.length])));
        }
        c.forceSwitch(IO_URING);
        clock.advanceSeconds(60);
        for (int i = 0; i < 100; i++) {
            assertSame(Decision.NONE, tick(c, load(IO_URING, between[i % between.length])));
        }
        assertEquals(1, metrics.switches(), "only the forced switch");
        assertEquals(0, metrics.rejections());
    }

    // --- cooldown

    @Test
    void cooldownRefusesLoadSwitchesThenLetsTheSustainedOneThrough() {
        ListenerController c = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));
        assertEquals(Duration.ZERO.plusSeconds(30), c.cooldownRemaining());
        assertSame(Decision.NONE, tick(c, load(IO_URING, 2)));
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.COOLDOWN, tick(c, load(IO_URING, 2)));
        clock.advanceSeconds(26); // 28 s after the switch
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.COOLDOWN, tick(c, load(IO_URING, 2)));
        assertEquals(Duration.ofSeconds(1), c.cooldownRemaining());
        // 30 s after the switch: the streak kept counting, so the switch happens on this tick.
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 2)));
        assertEquals(2, metrics.rejections(RejectReason.COOLDOWN));
    }

    @Test
    void cooldownIsAKnob() {
        ListenerController c = controller(rules().cooldown(Duration.ZERO).build(), EPOLL,
                IoUringAvailability.viable("BASIC"));
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));
        tick(c, load(IO_URING, 1));
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 1)));
    }

    // --- large payloads

    @Test
    void largePayloadsSuppressSwitchesBothWays() {
        ListenerController c = controller(EPOLL);
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.LARGE_PAYLOAD, tick(c, withPayload(load(EPOLL, 60), 8192)));
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, withPayload(load(EPOLL, 60), 8191)));
        clock.advanceSeconds(30);
        tick(c, withPayload(load(IO_URING, 1), 64 * 1024));
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.LARGE_PAYLOAD, tick(c, withPayload(load(IO_URING, 1), 64 * 1024)));
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 1)));
        assertEquals(2, metrics.rejections(RejectReason.LARGE_PAYLOAD));
    }

    // --- error revert

    @Test
    void errorRateAboveTheLimitRevertsToEpollDespiteCooldown() {
        ListenerController c = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));
        assertSame(Decision.NONE, tick(c, withErrors(load(IO_URING, 50), 5, 100)), "exactly 5% is not above 5%");
        assertSame(Decision.NONE, tick(c, withErrors(load(IO_URING, 50), 0, 0)), "no errors, no rate");
        assertTrue(c.cooldownRemaining().compareTo(Duration.ZERO) > 0);
        assertSwitch(EPOLL, SwitchReason.ERROR_REVERT, tick(c, withErrors(load(IO_URING, 50), 6, 100)));
        assertEquals(1, metrics.switches(SwitchReason.ERROR_REVERT));
        assertEquals(EPOLL, metrics.activeEngine());
    }

    @Test
    void errorRevertAlsoIgnoresTheOscillationLockAndLargePayloads() {
        ListenerController c = controller(rules().oscillationSwitches(1).build(), EPOLL,
                IoUringAvailability.viable("BASIC"));
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));
        assertTrue(c.oscillationLockRemaining().compareTo(Duration.ZERO) > 0, "one switch locks with OSCILLATION_SWITCHES=1");
        assertSwitch(EPOLL, SwitchReason.ERROR_REVERT, tick(c, withPayload(withErrors(load(IO_URING, 50), 50, 100), 100_000)));
    }

    @Test
    void errorRevertRespectsAFreeze() {
        ListenerController c = onIoUringAfterCooldown();
        c.freeze();
        assertRejected(EPOLL, SwitchReason.ERROR_REVERT, RejectReason.FROZEN, tick(c, withErrors(load(IO_URING, 50), 50, 100)));
        c.unfreeze();
        assertSwitch(EPOLL, SwitchReason.ERROR_REVERT, tick(c, withErrors(load(IO_URING, 50), 50, 100)));
    }

    @Test
    void ioUringErrorsBlockAnUpSwitch() {
        ListenerController c = controller(EPOLL);
        // io_uring still serves connections from before a revert, and they keep failing.
        Sample failing = new Sample(EPOLL, THREADS, 500, 100, 512, 10, 100);
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.ERROR_RATE, tick(c, failing));
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, new Sample(EPOLL, THREADS, 500, 100, 512, 1, 100)));
    }

    @Test
    void moreErrorsThanOperationsCountAsAFullErrorRateAndRevert() {
        assertEquals(1.0, new Sample(IO_URING, THREADS, 0, 300, 512, 7, 0).ioUringErrorRate());
        assertEquals(1.0, new Sample(IO_URING, THREADS, 0, 300, 512, 9, 4).ioUringErrorRate());
        assertEquals(0.0, new Sample(IO_URING, THREADS, 0, 300, 512, 0, 0).ioUringErrorRate());
        ListenerController c = onIoUringAfterCooldown();
        assertSwitch(EPOLL, SwitchReason.ERROR_REVERT, tick(c, new Sample(IO_URING, THREADS, 0, 300, 512, 7, 0)));
    }

    @Test
    void errorRevertRateIsAKnob() {
        ListenerController c = controller(rules().errorRevertRate(0.5).build(), IO_URING,
                IoUringAvailability.viable("BASIC"));
        assertSame(Decision.NONE, tick(c, withErrors(load(IO_URING, 30), 50, 100)));
        assertSwitch(EPOLL, SwitchReason.ERROR_REVERT, tick(c, withErrors(load(IO_URING, 30), 51, 100)));
    }

    // --- oscillation lock

    @Test
    void threeSwitchesWithinTheWindowLockSwitchingUntilTheLockExpires() {
        ListenerController c = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));   // t=1
        clock.advanceSeconds(29);
        tick(c, load(IO_URING, 1));
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 1)));       // t=32
        clock.advanceSeconds(30);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));   // t=63: third switch, lock for 300 s
        assertEquals(Duration.ofSeconds(300), c.oscillationLockRemaining());

        clock.advanceSeconds(30);
        tick(c, load(IO_URING, 1));
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.OSCILLATION_LOCK, tick(c, load(IO_URING, 1)));
        clock.advanceSeconds(300 - 33 - 1);
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.OSCILLATION_LOCK, tick(c, load(IO_URING, 1))); // t=362
        assertEquals(Duration.ofSeconds(1), c.oscillationLockRemaining());
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 1)));       // t=363: expired
        assertEquals(Duration.ZERO, c.oscillationLockRemaining());
        assertEquals(2, metrics.rejections(RejectReason.OSCILLATION_LOCK));
    }

    @Test
    void switchesSpreadWiderThanTheWindowDoNotLock() {
        ListenerController c = controller(EPOLL);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));   // t=1
        clock.advanceSeconds(200);
        tick(c, load(IO_URING, 1));
        assertSwitch(EPOLL, SwitchReason.LOW_LOAD, tick(c, load(IO_URING, 1)));       // t=203
        clock.advanceSeconds(98);
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 50)));   // t=302: the first left the window
        assertEquals(Duration.ZERO, c.oscillationLockRemaining());
    }

    @Test
    void forcedSwitchesDoNotCountAsOscillation() {
        ListenerController c = controller(EPOLL);
        for (int i = 0; i < 10; i++) {
            c.forceSwitch(i % 2 == 0 ? IO_URING : EPOLL);
        }
        assertEquals(Duration.ZERO, c.oscillationLockRemaining());
        assertEquals(10, metrics.switches(SwitchReason.FORCED));
    }

    // --- freeze

    @Test
    void freezeNestsAndOnlyTheLastUnfreezeReleases() {
        ListenerController c = controller(EPOLL);
        assertEquals(1, c.freeze());
        assertEquals(2, c.freeze());
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.FROZEN, tick(c, load(EPOLL, 60)));
        assertEquals(1, c.unfreeze());
        assertTrue(c.isFrozen());
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.FROZEN, tick(c, load(EPOLL, 60)));
        assertEquals(0, c.unfreeze());
        assertFalse(c.isFrozen());
        assertSwitch(IO_URING, SwitchReason.HIGH_WATERMARK, tick(c, load(EPOLL, 60)));
        assertEquals(2, metrics.rejections(RejectReason.FROZEN));
        IllegalStateException e = assertThrows(IllegalStateException.class, c::unfreeze);
        assertTrue(e.getMessage().contains("not frozen"), e.getMessage());
        assertEquals(0, c.freezeCount());
    }

    // --- forced switch

    @Test
    void forceSwitchAppliesAtOnceDespiteFreezeAndStartsACooldown() {
        ListenerController c = controller(EPOLL);
        c.freeze();
        assertSwitch(IO_URING, SwitchReason.FORCED, c.forceSwitch(IO_URING));
        assertEquals(List.of(IO_URING), engineSwitch.calls);
        assertEquals(IO_URING, metrics.activeEngine());
        assertEquals(1, metrics.switches(SwitchReason.FORCED));
        c.unfreeze();
        tick(c, load(IO_URING, 1));
        assertRejected(EPOLL, SwitchReason.LOW_LOAD, RejectReason.COOLDOWN, tick(c, load(IO_URING, 1)));
        assertSwitch(EPOLL, SwitchReason.FORCED, c.forceSwitch(EPOLL));
    }

    @Test
    void forceSwitchToTheActiveEngineIsANoOp() {
        ListenerController c = controller(EPOLL);
        assertSame(Decision.NONE, c.forceSwitch(EPOLL));
        assertEquals(0, metrics.switches());
        assertTrue(engineSwitch.calls.isEmpty());
    }

    // --- io_uring not viable, failed switches

    @Test
    void ioUringNotViableNeverUpSwitches() {
        ListenerController c = controller(rules().build(), EPOLL, IoUringAvailability.notViable("io_uring_disabled=2"));
        assertEquals("UNAVAILABLE", metrics.ioUringTier());
        for (int i = 0; i < 5; i++) {
            assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.NOT_VIABLE, tick(c, load(EPOLL, 100)));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.forceSwitch(IO_URING));
        assertTrue(e.getMessage().contains("io_uring_disabled=2"), e.getMessage());
        assertTrue(engineSwitch.calls.isEmpty());
        assertEquals(6, metrics.rejections(RejectReason.NOT_VIABLE));
        assertEquals(0, metrics.switches());
    }

    @Test
    void aFailedSwitchToIoUringKeepsEpollAndMakesIoUringNotViable() {
        ListenerController c = controller(EPOLL);
        engineSwitch.ioUringFailure = new IOException("io_uring_setup: Cannot allocate memory");
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.SWITCH_FAILED, tick(c, load(EPOLL, 60)));
        assertEquals(EPOLL, c.activeEngine());
        assertEquals(EPOLL, metrics.activeEngine());
        assertEquals("UNAVAILABLE", metrics.ioUringTier());
        assertTrue(c.ioUringUnusableReason().contains("Cannot allocate memory"), c.ioUringUnusableReason());
        assertRejected(IO_URING, SwitchReason.HIGH_WATERMARK, RejectReason.NOT_VIABLE, tick(c, load(EPOLL, 60)));
        assertEquals(1, metrics.rejections(RejectReason.SWITCH_FAILED));
    }

    @Test
    void aFailedForcedSwitchThrowsWithTheCause() {
        ListenerController c = controller(EPOLL);
        engineSwitch.ioUringFailure = new IOException("ring setup failed");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.forceSwitch(IO_URING));
        assertTrue(e.getMessage().contains("ring setup failed"), e.getMessage());
        assertEquals(EPOLL, c.activeEngine());
        assertEquals(0, metrics.switches());
        assertEquals(1, metrics.rejections(RejectReason.SWITCH_FAILED));
    }

    // --- following reality

    @Test
    void theSampledEngineWinsOverTheControllersBelief() {
        ListenerController c = controller(EPOLL);
        assertSame(Decision.NONE, tick(c, load(IO_URING, 30)));
        assertEquals(IO_URING, c.activeEngine());
        assertEquals(IO_URING, metrics.activeEngine());
        assertEquals(0, metrics.switches(), "not a switch of ours");
    }

    @Test
    void startIsRecordedInTheMetrics() {
        controller(rules().build(), IO_URING, IoUringAvailability.viable("MULTISHOT"));
        assertEquals(IO_URING, metrics.activeEngine());
        assertEquals("MULTISHOT", metrics.ioUringTier());
        assertEquals("default", metrics.startDecision().reason());
    }

    // --- counting

    @Test
    void switchesAndRejectionsAreCountedByReason() {
        ListenerController c = controller(EPOLL);
        tick(c, load(EPOLL, 50));                                     // HIGH_WATERMARK
        tick(c, withErrors(load(IO_URING, 50), 10, 100));              // ERROR_REVERT
        tick(c, load(EPOLL, 30));
        tick(c, load(EPOLL, 30));                                     // COOLDOWN
        clock.advanceSeconds(30);
        tick(c, load(EPOLL, 30));                                     // SUSTAINED_LOAD
        c.forceSwitch(EPOLL);                                         // FORCED
        assertEquals(1, metrics.switches(SwitchReason.HIGH_WATERMARK));
        assertEquals(1, metrics.switches(SwitchReason.ERROR_REVERT));
        assertEquals(1, metrics.switches(SwitchReason.SUSTAINED_LOAD));
        assertEquals(1, metrics.switches(SwitchReason.FORCED));
        assertEquals(0, metrics.switches(SwitchReason.LOW_LOAD));
        assertEquals(4, metrics.switches());
        assertEquals(1, metrics.rejections(RejectReason.COOLDOWN));
        assertEquals(1, metrics.rejections());
        assertEquals(List.of(IO_URING, EPOLL, IO_URING, EPOLL), engineSwitch.calls);
    }

    @Test
    void samplesRejectImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new Sample(EPOLL, 0, 1, 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sample(EPOLL, 1, -1, 1, 1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sample(EPOLL, 1, 1, 1, -1, 0, 0));
        assertThrows(NullPointerException.class, () -> new Sample(null, 1, 1, 1, 1, 0, 0));
    }

    @Test
    void configRejectsUnorderedThresholds() {
        IllegalArgumentException down = assertThrows(IllegalArgumentException.class,
                () -> rules().downThreshold(30).build());
        assertTrue(down.getMessage().contains("DOWN_THRESHOLD (30) must be below UP_THRESHOLD (24)"), down.getMessage());
        assertThrows(IllegalArgumentException.class, () -> rules().highWatermark(20).build());
        assertThrows(IllegalArgumentException.class, () -> rules().tick(Duration.ofMillis(1)).build());
        assertThrows(IllegalArgumentException.class, () -> rules().errorRevertRate(-0.1).build());
        assertEquals(ControllerConfig.defaults(), ControllerConfig.defaults().toBuilder().build());
    }
}
