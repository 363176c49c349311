package dev.adaptiveio.adaptive.control;

/**
 * A resolved setting and where it came from, so that logs and decision reasons can tell users which
 * knob to turn.
 *
 * @param value  the validated value
 * @param origin the kind of source that supplied it
 * @param key    the exact name at that source: {@code AdaptiveOptions.START}, {@code adaptiveio.start},
 *               {@code ADAPTIVEIO_START}, or {@code default}
 */
public record Setting<T>(T value, Origin origin, String key) {

    /** The kinds of source, highest precedence first. */
    public enum Origin {
        XNIO_OPTION,
        SYSTEM_PROPERTY,
        ENVIRONMENT,
        DEFAULT
    }

    /** {@code key=value}, e.g. {@code adaptiveio.start=io_uring}. */
    public String describe() {
        return key + "=" + value;
    }

    @Override
    public String toString() {
        return describe();
    }
}
