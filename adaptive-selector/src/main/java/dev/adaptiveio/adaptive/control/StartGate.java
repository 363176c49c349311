package dev.adaptiveio.adaptive.control;

/** The gate that decided a listener's start engine, in the order the gates are tried. */
public enum StartGate {
    /** {@link AdaptiveOptions#START} named an engine. */
    OVERRIDE,
    /** io_uring cannot be used here, so epoll. */
    IO_URING_NOT_VIABLE,
    /** The listener is marked h2c: epoll (the engines tie on HTTP/2, epoll has the lower tail). */
    PROTOCOL,
    /** {@link AdaptiveOptions#WORKLOAD_HINT} named a concurrency. */
    WORKLOAD_HINT,
    /** No gate applied: epoll. */
    DEFAULT
}
