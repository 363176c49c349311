package dev.adaptiveio.wildfly;

import org.xnio.Option;

/**
 * XNIO options that carry the adaptive engine's settings from the management model into
 * {@code XnioWorker} creation. They are plain strings so that any provider can read them without a
 * compile-time dependency on this module ({@code OptionMap.get(option)} then parse the string).
 * Providers that do not know them ignore them.
 */
public final class AdaptiveOptions {

    /** Engine the adaptive worker starts listeners on: {@code epoll}, {@code io_uring} or {@code auto}. */
    public static final Option<String> START = Option.simple(AdaptiveOptions.class, "START", String.class);
    /** {@code LOW_CONCURRENCY}, {@code HIGH_CONCURRENCY} or {@code AUTO}. */
    public static final Option<String> WORKLOAD_HINT = Option.simple(AdaptiveOptions.class, "WORKLOAD_HINT", String.class);
    /** Concurrent connections per I/O thread above which new connections go to io_uring. */
    public static final Option<String> UP_THRESHOLD = Option.simple(AdaptiveOptions.class, "UP_THRESHOLD", String.class);
    /** Concurrent connections per I/O thread below which new connections go back to epoll. */
    public static final Option<String> DOWN_THRESHOLD = Option.simple(AdaptiveOptions.class, "DOWN_THRESHOLD", String.class);
    /** Consecutive controller ticks a threshold must hold before a switch. */
    public static final Option<String> SUSTAINED_TICKS = Option.simple(AdaptiveOptions.class, "SUSTAINED_TICKS", String.class);
    /** Concurrency at which the controller switches at once, without waiting for sustained ticks. */
    public static final Option<String> HIGH_WATERMARK = Option.simple(AdaptiveOptions.class, "HIGH_WATERMARK", String.class);
    /** Minimum time between two switches, in seconds. */
    public static final Option<String> COOLDOWN_SECONDS = Option.simple(AdaptiveOptions.class, "COOLDOWN_SECONDS", String.class);
    /** Payload size (bytes) from which a request counts as large for the controller. */
    public static final Option<String> LARGE_PAYLOAD_BYTES = Option.simple(AdaptiveOptions.class, "LARGE_PAYLOAD_BYTES", String.class);
    /** Error rate (0..1] on the new engine that makes the controller revert a switch. */
    public static final Option<String> ERROR_REVERT_RATE = Option.simple(AdaptiveOptions.class, "ERROR_REVERT_RATE", String.class);
    /** {@code true} to move idle, established HTTP/1 connections from epoll to io_uring. */
    public static final Option<String> TRANSPLANT = Option.simple(AdaptiveOptions.class, "TRANSPLANT", String.class);

    private AdaptiveOptions() {
    }
}
