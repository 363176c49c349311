package dev.adaptiveio.adaptive.control.subsystem;

import org.xnio.Option;

/** Stands in for the WildFly subsystem's own string-valued options of the same names. */
public final class AdaptiveOptions {

    public static final Option<String> START = Option.simple(AdaptiveOptions.class, "START", String.class);
    public static final Option<String> UP_THRESHOLD = Option.simple(AdaptiveOptions.class, "UP_THRESHOLD", String.class);
    public static final Option<String> ERROR_REVERT_RATE = Option.simple(AdaptiveOptions.class, "ERROR_REVERT_RATE", String.class);

    private AdaptiveOptions() {
    }
}
