package dev.adaptiveio.adaptive.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.xnio.OptionMap;

/**
 * Every adaptive setting of one listener, resolved and validated; immutable.
 */
public final class AdaptiveSettings {

    /** The controller's defaults live in one place; the knobs fall back to them. */
    private static final ControllerConfig DEFAULTS = ControllerConfig.defaults();
    private static final Knob<StartMode> START = Knob.of(AdaptiveOptions.START, StartMode.AUTO, StartMode::parse)
            .withEnvironmentVariable(AdaptiveOptions.START_ENVIRONMENT_VARIABLE);
    private static final Knob<WorkloadHint> WORKLOAD_HINT = Knob.choice(AdaptiveOptions.WORKLOAD_HINT, WorkloadHint.AUTO, WorkloadHint.class);
    private static final Knob<Boolean> H2C = Knob.bool(AdaptiveOptions.H2C, false);
    private static final Knob<Integer> UP_THRESHOLD = Knob.intAtLeast(AdaptiveOptions.UP_THRESHOLD, DEFAULTS.upThreshold(), 1);
    private static final Knob<Integer> SUSTAINED_TICKS = Knob.intAtLeast(AdaptiveOptions.SUSTAINED_TICKS, DEFAULTS.sustainedTicks(), 1);
    private static final Knob<Integer> HIGH_WATERMARK = Knob.intAtLeast(AdaptiveOptions.HIGH_WATERMARK, DEFAULTS.highWatermark(), 1);
    private static final Knob<Integer> DOWN_THRESHOLD = Knob.intAtLeast(AdaptiveOptions.DOWN_THRESHOLD, DEFAULTS.downThreshold(), 0);
    private static final Knob<Long> COOLDOWN_SECONDS = Knob.longAtLeast(AdaptiveOptions.COOLDOWN_SECONDS, DEFAULTS.cooldown().toSeconds(), 0);
    private static final Knob<Integer> LARGE_PAYLOAD_BYTES = Knob.intAtLeast(AdaptiveOptions.LARGE_PAYLOAD_BYTES, DEFAULTS.largePayloadBytes(), 1);
    private static final Knob<Double> ERROR_REVERT_RATE = Knob.fraction(AdaptiveOptions.ERROR_REVERT_RATE, DEFAULTS.errorRevertRate());
    private static final Knob<Integer> OSCILLATION_SWITCHES = Knob.intAtLeast(AdaptiveOptions.OSCILLATION_SWITCHES, DEFAULTS.oscillationSwitches(), 1);
    private static final Knob<Long> OSCILLATION_WINDOW_SECONDS = Knob.longAtLeast(AdaptiveOptions.OSCILLATION_WINDOW_SECONDS, DEFAULTS.oscillationWindow().toSeconds(), 0);
    private static final Knob<Long> OSCILLATION_LOCK_SECONDS = Knob.longAtLeast(AdaptiveOptions.OSCILLATION_LOCK_SECONDS, DEFAULTS.oscillationLock().toSeconds(), 0);
    private static final Knob<Long> TICK_MILLIS = Knob.longAtLeast(AdaptiveOptions.TICK_MILLIS, DEFAULTS.tick().toMillis(), 10);
    private static final Knob<Boolean> TRANSPLANT = Knob.bool(AdaptiveOptions.TRANSPLANT, false)
            .withEnvironmentVariable(AdaptiveOptions.TRANSPLANT_ENVIRONMENT_VARIABLE);

    private final Setting<StartMode> start;
    private final WorkloadHint workloadHint;
    private final boolean h2c;
    private final boolean transplant;
    private final ControllerConfig controller;
    private final List<Setting<?>> configured;

    private AdaptiveSettings(Setting<StartMode> start, WorkloadHint workloadHint, boolean h2c, boolean transplant,
                             ControllerConfig controller, List<Setting<?>> configured) {
        this.start = start;
        this.workloadHint = workloadHint;
        this.h2c = h2c;
        this.transplant = transplant;
        this.controller = controller;
        this.configured = configured;
    }

    /**
     * Resolves every setting: the option maps in the order given (the first that sets an option wins,
     * so pass the listener's map before the worker's), then system properties, then the environment
     * ({@code ADAPTIVEIO_START}, {@code ADAPTIVEIO_TRANSPLANT}), then the defaults.
     *
     * @throws IllegalArgumentException naming the option, the value, where it was set and what is allowed;
     *                                  or naming the options whose values contradict each other
     */
    public static AdaptiveSettings resolve(ConfigSource source, OptionMap... optionMaps) {
        OptionResolver resolver = new OptionResolver(source, Arrays.asList(optionMaps));
        List<Setting<?>> configured = new ArrayList<>();
        Setting<StartMode> start = track(configured, resolver.resolve(START));
        WorkloadHint hint = track(configured, resolver.resolve(WORKLOAD_HINT)).value();
        boolean h2c = track(configured, resolver.resolve(H2C)).value();
        boolean transplant = track(configured, resolver.resolve(TRANSPLANT)).value();
        int up = track(configured, resolver.resolve(UP_THRESHOLD)).value();
        int sustained = track(configured, resolver.resolve(SUSTAINED_TICKS)).value();
        int high = track(configured, resolver.resolve(HIGH_WATERMARK)).value();
        int down = track(configured, resolver.resolve(DOWN_THRESHOLD)).value();
        long cooldown = track(configured, resolver.resolve(COOLDOWN_SECONDS)).value();
        int largePayload = track(configured, resolver.resolve(LARGE_PAYLOAD_BYTES)).value();
        double errorRate = track(configured, resolver.resolve(ERROR_REVERT_RATE)).value();
        int oscillationSwitches = track(configured, resolver.resolve(OSCILLATION_SWITCHES)).value();
        long oscillationWindow = track(configured, resolver.resolve(OSCILLATION_WINDOW_SECONDS)).value();
        long oscillationLock = track(configured, resolver.resolve(OSCILLATION_LOCK_SECONDS)).value();
        long tick = track(configured, resolver.resolve(TICK_MILLIS)).value();
        ControllerConfig controller;
        try {
            controller = new ControllerConfig(up, sustained, high, down, Duration.ofSeconds(cooldown), largePayload, errorRate,
                    oscillationSwitches, Duration.ofSeconds(oscillationWindow), Duration.ofSeconds(oscillationLock), Duration.ofMillis(tick));
        } catch (IllegalArgumentException e) {
            // Each value is valid alone (checked above); what is left is their order.
            throw new IllegalArgumentException("Invalid adaptive settings: " + e.getMessage() + " (configured: "
                    + describe(configured) + ")", e);
        }
        return new AdaptiveSettings(start, hint, h2c, transplant, controller, List.copyOf(configured));
    }

    /** The system's properties and environment only, no XNIO options. */
    public static AdaptiveSettings fromSystem() {
        return resolve(ConfigSource.system());
    }

    private static <T> Setting<T> track(List<Setting<?>> configured, Setting<T> setting) {
        if (setting.origin() != Setting.Origin.DEFAULT) {
            configured.add(setting);
        }
        return setting;
    }

    private static String describe(List<Setting<?>> settings) {
        return settings.isEmpty() ? "only defaults" : settings.stream().map(Setting::describe).collect(Collectors.joining(", "));
    }

    /** The start override and where it was set ({@link StartMode#AUTO} from {@code default} when nowhere). */
    public Setting<StartMode> start() {
        return start;
    }

    public WorkloadHint workloadHint() {
        return workloadHint;
    }

    /** Whether the listener is marked as serving h2c. */
    public boolean h2c() {
        return h2c;
    }

    /** Whether idle HTTP/1 connections may be transplanted from epoll to io_uring (the transplant extension reads it). */
    public boolean transplant() {
        return transplant;
    }

    public ControllerConfig controller() {
        return controller;
    }

    /** The settings that did not come from defaults, in resolution order, for a debug log line. */
    public List<Setting<?>> configured() {
        return configured;
    }

    @Override
    public String toString() {
        return "AdaptiveSettings[" + describe(configured) + "]";
    }
}
