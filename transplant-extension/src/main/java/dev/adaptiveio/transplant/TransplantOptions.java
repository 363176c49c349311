package dev.adaptiveio.transplant;

import org.xnio.Option;
import org.xnio.OptionMap;

/**
 * How the transplant extension is switched on. It is off unless one of these says otherwise:
 * the XNIO option {@link #TRANSPLANT} in an option map given to {@link Transplant#configure},
 * the system property {@value #PROPERTY} or the environment variable {@value #ENVIRONMENT}
 * ({@code true}/{@code false}).
 */
public final class TransplantOptions {

    /** XNIO option: move idle HTTP/1 keep-alive connections between engines. */
    public static final Option<Boolean> TRANSPLANT = Option.simple(TransplantOptions.class, "TRANSPLANT", Boolean.class);

    /**
     * XNIO option: how often, in milliseconds, idle connections wanted on another engine are
     * swept while a migration mark is active.
     */
    public static final Option<Integer> SWEEP_INTERVAL = Option.simple(TransplantOptions.class, "SWEEP_INTERVAL",
            Integer.class);

    public static final String PROPERTY = "adaptiveio.transplant";
    public static final String ENVIRONMENT = "ADAPTIVEIO_TRANSPLANT";
    public static final String SWEEP_PROPERTY = "adaptiveio.transplant.sweepMillis";
    public static final int DEFAULT_SWEEP_MILLIS = 1000;

    private TransplantOptions() {
    }

    /** The flag as the system property or environment sets it; {@code false} when neither does. */
    public static boolean enabledByEnvironment() {
        String v = System.getProperty(PROPERTY);
        if (v == null) {
            v = System.getenv(ENVIRONMENT);
        }
        return v != null && Boolean.parseBoolean(v.trim());
    }

    /**
     * The flag from an option map, falling back to the environment. Any option named
     * {@code TRANSPLANT} counts (this class's, the adaptive provider's {@code AdaptiveOptions},
     * the WildFly subsystem's string-typed one), so a worker's option map can be passed as is.
     */
    public static boolean enabled(OptionMap options) {
        if (options != null) {
            if (options.contains(TRANSPLANT)) {
                return options.get(TRANSPLANT, false);
            }
            for (Option<?> option : options) {
                if ("TRANSPLANT".equals(option.getName())) {
                    Object value = options.get(option);
                    if (value != null && !String.valueOf(value).isBlank()) {
                        return Boolean.parseBoolean(String.valueOf(value).trim());
                    }
                }
            }
        }
        return enabledByEnvironment();
    }

    static int sweepMillis(OptionMap options) {
        if (options != null && options.contains(SWEEP_INTERVAL)) {
            return Math.max(10, options.get(SWEEP_INTERVAL, DEFAULT_SWEEP_MILLIS));
        }
        return Math.max(10, Integer.getInteger(SWEEP_PROPERTY, DEFAULT_SWEEP_MILLIS));
    }
}
