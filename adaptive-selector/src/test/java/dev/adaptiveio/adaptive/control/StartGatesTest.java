package dev.adaptiveio.adaptive.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;

class StartGatesTest {

    private static final IoUringAvailability VIABLE = IoUringAvailability.viable("DEFER_TASKRUN");
    private static final IoUringAvailability DISABLED = IoUringAvailability.notViable("io_uring_disabled=2");
    private static final Setting<StartMode> AUTO = new Setting<>(StartMode.AUTO, Setting.Origin.DEFAULT, "default");

    private static Setting<StartMode> property(StartMode mode) {
        return new Setting<>(mode, Setting.Origin.SYSTEM_PROPERTY, "adaptiveio.start");
    }

    private static void assertDecision(Engine engine, StartGate gate, String reason, StartDecision decision) {
        assertEquals(engine, decision.engine(), decision::toString);
        assertEquals(gate, decision.gate(), decision::toString);
        assertEquals(reason, decision.reason());
    }

    @Test
    void overrideWinsOverEveryOtherGate() throws Exception {
        assertDecision(Engine.IO_URING, StartGate.OVERRIDE, "override adaptiveio.start=io_uring",
                StartGates.decide(property(StartMode.IO_URING), VIABLE, true, WorkloadHint.LOW_CONCURRENCY));
        assertDecision(Engine.EPOLL, StartGate.OVERRIDE, "override adaptiveio.start=epoll",
                StartGates.decide(property(StartMode.EPOLL), VIABLE, false, WorkloadHint.HIGH_CONCURRENCY));
        assertDecision(Engine.EPOLL, StartGate.OVERRIDE, "override adaptiveio.start=epoll",
                StartGates.decide(property(StartMode.EPOLL), DISABLED, false, WorkloadHint.AUTO));
    }

    @Test
    void explicitIoUringThatCannotRunFailsWithTheCause() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class,
                () -> StartGates.decide(property(StartMode.IO_URING), DISABLED, false, WorkloadHint.AUTO));
        assertEquals(Engine.IO_URING, e.engine());
        assertTrue(e.getMessage().contains("adaptiveio.start=io_uring"), e.getMessage());
        assertTrue(e.getMessage().contains("io_uring_disabled=2"), e.getMessage());
    }

    @Test
    void autoFallsThroughToTheNextGates() throws Exception {
        Setting<StartMode> explicitAuto = property(StartMode.AUTO);
        assertDecision(Engine.EPOLL, StartGate.DEFAULT, "default", StartGates.decide(explicitAuto, VIABLE, false, WorkloadHint.AUTO));
        assertDecision(Engine.IO_URING, StartGate.WORKLOAD_HINT, "workload hint HIGH_CONCURRENCY",
                StartGates.decide(explicitAuto, VIABLE, false, WorkloadHint.HIGH_CONCURRENCY));
    }

    @Test
    void ioUringNotViableGivesEpollBeforeProtocolAndHint() throws Exception {
        assertDecision(Engine.EPOLL, StartGate.IO_URING_NOT_VIABLE, "io_uring not viable: io_uring_disabled=2",
                StartGates.decide(AUTO, DISABLED, true, WorkloadHint.HIGH_CONCURRENCY));
    }

    @Test
    void lockedMemoryBudgetTooSmallForTheThreadsMeansNotViable() throws Exception {
        IoUringAvailability tight = VIABLE.withLockedMemory(64 * 1024, 40 * 1024, 4);
        assertFalse(tight.usable());
        StartDecision decision = StartGates.decide(AUTO, tight, false, WorkloadHint.HIGH_CONCURRENCY);
        assertEquals(Engine.EPOLL, decision.engine());
        assertEquals(StartGate.IO_URING_NOT_VIABLE, decision.gate());
        assertTrue(decision.reason().startsWith("io_uring not viable: locked-memory budget too small: 4 rings need 163840 bytes"),
                decision.reason());
        assertThrows(EngineUnavailableException.class, () -> StartGates.decide(property(StartMode.IO_URING), tight, false, WorkloadHint.AUTO));
    }

    @Test
    void lockedMemoryBudgetThatFitsOrIsUnknownOrUnlimitedIsViable() throws Exception {
        assertTrue(VIABLE.withLockedMemory(160 * 1024, 40 * 1024, 4).usable());
        assertTrue(VIABLE.withLockedMemory(-1, 40 * 1024, 4).usable());
        assertTrue(VIABLE.withLockedMemory(IoUringAvailability.UNLIMITED, Long.MAX_VALUE, 64).usable());
        assertFalse(VIABLE.withLockedMemory(1L << 40, Long.MAX_VALUE / 2, 4).usable(), "overflowing need must not pass");
        assertNull(VIABLE.unusableReason());
        assertEquals(Engine.IO_URING,
                StartGates.decide(AUTO, VIABLE.withLockedMemory(160 * 1024, 40 * 1024, 4), false, WorkloadHint.HIGH_CONCURRENCY).engine());
    }

    @Test
    void h2cListenerPrefersEpollOverTheHint() throws Exception {
        assertDecision(Engine.EPOLL, StartGate.PROTOCOL, "h2c listener prefers epoll",
                StartGates.decide(AUTO, VIABLE, true, WorkloadHint.HIGH_CONCURRENCY));
    }

    @Test
    void workloadHintDecidesWhenNothingBeforeItDid() throws Exception {
        assertDecision(Engine.IO_URING, StartGate.WORKLOAD_HINT, "workload hint HIGH_CONCURRENCY",
                StartGates.decide(AUTO, VIABLE, false, WorkloadHint.HIGH_CONCURRENCY));
        assertDecision(Engine.EPOLL, StartGate.WORKLOAD_HINT, "workload hint LOW_CONCURRENCY",
                StartGates.decide(AUTO, VIABLE, false, WorkloadHint.LOW_CONCURRENCY));
    }

    @Test
    void defaultIsEpoll() throws Exception {
        assertDecision(Engine.EPOLL, StartGate.DEFAULT, "default", StartGates.decide(AUTO, VIABLE, false, WorkloadHint.AUTO));
    }

    @Test
    void decidesFromResolvedSettingsNamingWhereTheOverrideCameFrom() throws Exception {
        ConfigSource env = ConfigSource.of(Map.of(), Map.of("ADAPTIVEIO_START", "io_uring"));
        assertDecision(Engine.IO_URING, StartGate.OVERRIDE, "override ADAPTIVEIO_START=io_uring",
                StartGates.decide(AdaptiveSettings.resolve(env), VIABLE));

        OptionMap listener = OptionMap.builder().set(AdaptiveOptions.H2C, true)
                .set(AdaptiveOptions.WORKLOAD_HINT, WorkloadHint.HIGH_CONCURRENCY).getMap();
        assertDecision(Engine.EPOLL, StartGate.PROTOCOL, "h2c listener prefers epoll",
                StartGates.decide(AdaptiveSettings.resolve(ConfigSource.of(Map.of(), Map.of()), listener), VIABLE));

        OptionMap option = OptionMap.create(AdaptiveOptions.START, StartMode.EPOLL);
        assertDecision(Engine.EPOLL, StartGate.OVERRIDE, "override AdaptiveOptions.START=epoll",
                StartGates.decide(AdaptiveSettings.resolve(env, option), VIABLE));
    }

    @Test
    void availabilityNeedsAReasonWhenNotViable() {
        assertThrows(IllegalArgumentException.class, () -> new IoUringAvailability(false, " ", "UNAVAILABLE", -1, 0, 0));
    }
}
