package dev.adaptiveio.adaptive.control;

/**
 * What an operator knows about a listener's load before it arrives ({@link AdaptiveOptions#WORKLOAD_HINT}).
 * It only chooses the start engine; the controller still follows the measured load afterwards.
 */
public enum WorkloadHint {
    /** Few concurrent connections (roughly 32 or fewer per I/O thread): start on epoll. */
    LOW_CONCURRENCY,
    /** Hundreds of concurrent connections per I/O thread with small payloads: start on io_uring. */
    HIGH_CONCURRENCY,
    /** No hint: the remaining gates decide. */
    AUTO
}
