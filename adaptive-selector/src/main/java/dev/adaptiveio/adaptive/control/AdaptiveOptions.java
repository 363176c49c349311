package dev.adaptiveio.adaptive.control;

import java.util.List;
import java.util.Locale;

import org.xnio.Option;

/**
 * The adaptive provider's knobs as XNIO options. Set them in the {@code OptionMap} given to
 * {@code Xnio.createWorker} (all listeners of the worker) or to {@code createStreamConnectionServer}
 * (one listener; wins over the worker's).
 * <p>
 * Every option can also be set by the system property {@code adaptiveio.<name in lower case>}
 * (see {@link #propertyName(Option)}), e.g. {@code -Dadaptiveio.up_threshold=32}; the start override
 * also by the environment variable {@value #START_ENVIRONMENT_VARIABLE}. Precedence: XNIO option, then
 * system property, then environment variable, then the default. {@link AdaptiveSettings#resolve} applies
 * it and rejects invalid values with an {@link IllegalArgumentException} naming the option, the value
 * and what is allowed.
 * <p>
 * This class is the one contract for these settings: the WildFly subsystem sets these very options
 * (it compiles against this class), so renaming or retyping one breaks its build instead of
 * silently dropping a setting.
 * <p>
 * Note: XNIO has no string parser for {@code Double}, so {@link #ERROR_REVERT_RATE} cannot be set through
 * {@code OptionMap.Builder.parse}; set it with {@code OptionMap.Builder.set} or the system property.
 */
public final class AdaptiveOptions {

    /** The environment variable that sets {@link #START} when neither the option nor the property does. */
    public static final String START_ENVIRONMENT_VARIABLE = "ADAPTIVEIO_START";

    /**
     * The environment variable that sets {@link #TRANSPLANT} when neither the option nor the property does
     * (the transplant extension's global flag reads the same variable).
     */
    public static final String TRANSPLANT_ENVIRONMENT_VARIABLE = "ADAPTIVEIO_TRANSPLANT";

    /** Start engine override: {@link StartMode#EPOLL}, {@link StartMode#IO_URING} or {@link StartMode#AUTO} (default: the gates decide). */
    public static final Option<StartMode> START = Option.simple(AdaptiveOptions.class, "START", StartMode.class);
    /** {@link WorkloadHint}: LOW_CONCURRENCY, HIGH_CONCURRENCY or AUTO (default). */
    public static final Option<WorkloadHint> WORKLOAD_HINT = Option.simple(AdaptiveOptions.class, "WORKLOAD_HINT", WorkloadHint.class);
    /** The listener speaks HTTP/2 over cleartext (h2c): it starts on epoll (the engines tie on HTTP/2). Default false. */
    public static final Option<Boolean> H2C = Option.simple(AdaptiveOptions.class, "H2C", Boolean.class);

    /** Connections per I/O thread at or above which new connections move to io_uring after {@link #SUSTAINED_TICKS}. Default 8. */
    public static final Option<Integer> UP_THRESHOLD = Option.simple(AdaptiveOptions.class, "UP_THRESHOLD", Integer.class);
    /** Consecutive ticks a threshold must hold before the controller switches. Default 2. */
    public static final Option<Integer> SUSTAINED_TICKS = Option.simple(AdaptiveOptions.class, "SUSTAINED_TICKS", Integer.class);
    /** Connections per I/O thread at or above which the controller moves to io_uring at once. Default 32. */
    public static final Option<Integer> HIGH_WATERMARK = Option.simple(AdaptiveOptions.class, "HIGH_WATERMARK", Integer.class);
    /** Connections per I/O thread below which new connections move back to epoll after {@link #SUSTAINED_TICKS}. Default 4. */
    public static final Option<Integer> DOWN_THRESHOLD = Option.simple(AdaptiveOptions.class, "DOWN_THRESHOLD", Integer.class);
    /** Seconds after a switch during which the controller does not switch (an error revert still may). Default 30. */
    public static final Option<Long> COOLDOWN_SECONDS = Option.simple(AdaptiveOptions.class, "COOLDOWN_SECONDS", Long.class);
    /** Average response bytes per request at or above which the controller does not switch (the engines tie). Default 8192. */
    public static final Option<Integer> LARGE_PAYLOAD_BYTES = Option.simple(AdaptiveOptions.class, "LARGE_PAYLOAD_BYTES", Integer.class);
    /** io_uring error rate (errors per operation in one tick, 0..1) above which new connections revert to epoll. Default 0.05. */
    public static final Option<Double> ERROR_REVERT_RATE = Option.simple(AdaptiveOptions.class, "ERROR_REVERT_RATE", Double.class);
    /** Automatic switches within {@link #OSCILLATION_WINDOW_SECONDS} that lock switching. Default 3. */
    public static final Option<Integer> OSCILLATION_SWITCHES = Option.simple(AdaptiveOptions.class, "OSCILLATION_SWITCHES", Integer.class);
    /** The window, in seconds, in which {@link #OSCILLATION_SWITCHES} switches count as oscillation. Default 300. */
    public static final Option<Long> OSCILLATION_WINDOW_SECONDS = Option.simple(AdaptiveOptions.class, "OSCILLATION_WINDOW_SECONDS", Long.class);
    /** How long, in seconds, oscillation locks automatic switching. Default 300. */
    public static final Option<Long> OSCILLATION_LOCK_SECONDS = Option.simple(AdaptiveOptions.class, "OSCILLATION_LOCK_SECONDS", Long.class);
    /** Milliseconds between two controller ticks. Default 1000. */
    public static final Option<Long> TICK_MILLIS = Option.simple(AdaptiveOptions.class, "TICK_MILLIS", Long.class);
    /** Move idle, established HTTP/1 connections from epoll to io_uring after an up-switch. Default false. */
    public static final Option<Boolean> TRANSPLANT = Option.simple(AdaptiveOptions.class, "TRANSPLANT", Boolean.class);

    /** Every option above, in declaration order. */
    public static final List<Option<?>> ALL = List.of(START, WORKLOAD_HINT, H2C, UP_THRESHOLD, SUSTAINED_TICKS, HIGH_WATERMARK,
            DOWN_THRESHOLD, COOLDOWN_SECONDS, LARGE_PAYLOAD_BYTES, ERROR_REVERT_RATE, OSCILLATION_SWITCHES,
            OSCILLATION_WINDOW_SECONDS, OSCILLATION_LOCK_SECONDS, TICK_MILLIS, TRANSPLANT);

    private AdaptiveOptions() {
    }

    /** The system property that sets an option: {@code adaptiveio.} and the option's name in lower case, e.g. {@code adaptiveio.start}. */
    public static String propertyName(Option<?> option) {
        return "adaptiveio." + option.getName().toLowerCase(Locale.ROOT);
    }
}
