package dev.adaptiveio.adaptive.control;

/**
 * Chooses the engine a listener starts on. The gates, in order; the first that applies decides:
 * <ol>
 *   <li>explicit override ({@link AdaptiveOptions#START} = {@code epoll} or {@code io_uring}; {@code auto} falls through);
 *       an override to io_uring when io_uring cannot be used fails with {@link EngineUnavailableException};</li>
 *   <li>io_uring viability: not usable (probe or locked-memory budget) gives epoll;</li>
 *   <li>protocol: a listener marked h2c gives epoll;</li>
 *   <li>workload hint: {@code HIGH_CONCURRENCY} gives io_uring, {@code LOW_CONCURRENCY} epoll;</li>
 *   <li>otherwise epoll.</li>
 * </ol>
 * Pure: no I/O, no logging, same inputs same answer.
 */
public final class StartGates {

    private StartGates() {
    }

    /** The gates over a listener's resolved settings. */
    public static StartDecision decide(AdaptiveSettings settings, IoUringAvailability ioUring) throws EngineUnavailableException {
        return decide(settings.start(), ioUring, settings.h2c(), settings.workloadHint());
    }

    /**
     * The gates over explicit inputs.
     *
     * @param override where the start override came from and its value
     * @throws EngineUnavailableException when the override asks for io_uring and it cannot be used; the message names
     *                                    the setting and the cause
     */
    public static StartDecision decide(Setting<StartMode> override, IoUringAvailability ioUring, boolean h2c, WorkloadHint hint)
            throws EngineUnavailableException {
        String unusable = ioUring.unusableReason();
        Engine forced = override.value().engine();
        if (forced != null) {
            if (forced == Engine.IO_URING && unusable != null) {
                throw new EngineUnavailableException(Engine.IO_URING, "io_uring was requested explicitly (" + override.describe()
                        + ") but cannot be used: " + unusable);
            }
            return new StartDecision(forced, StartGate.OVERRIDE, "override " + override.describe());
        }
        if (unusable != null) {
            return new StartDecision(Engine.EPOLL, StartGate.IO_URING_NOT_VIABLE, "io_uring not viable: " + unusable);
        }
        if (h2c) {
            return new StartDecision(Engine.EPOLL, StartGate.PROTOCOL, "h2c listener prefers epoll");
        }
        if (hint == WorkloadHint.HIGH_CONCURRENCY) {
            return new StartDecision(Engine.IO_URING, StartGate.WORKLOAD_HINT, "workload hint " + hint);
        }
        if (hint == WorkloadHint.LOW_CONCURRENCY) {
            return new StartDecision(Engine.EPOLL, StartGate.WORKLOAD_HINT, "workload hint " + hint);
        }
        return new StartDecision(Engine.EPOLL, StartGate.DEFAULT, "default");
    }
}
