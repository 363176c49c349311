package dev.adaptiveio.adaptive.control;

import java.util.Objects;

/**
 * A listener's start engine, the gate that chose it, and a reason users can read, e.g.
 * {@code override adaptiveio.start=io_uring}, {@code io_uring not viable: io_uring_disabled=2},
 * {@code h2c listener prefers epoll}, {@code workload hint HIGH_CONCURRENCY}, {@code default}.
 */
public record StartDecision(Engine engine, StartGate gate, String reason) {

    public StartDecision {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(gate, "gate");
        Objects.requireNonNull(reason, "reason");
    }

    /** Logs the decision once, at INFO, for the named listener. */
    public void log(String listener) {
        ControlLogger.LOG.startDecision(listener, engine.providerName(), reason);
    }

    @Override
    public String toString() {
        return engine + " (" + reason + ")";
    }
}
