package dev.adaptiveio.adaptive.control;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One listener's counters and gauges; safe for any thread. The accept path records accepts and
 * closes ({@link LongAdder}s, cheap under contention); the controller records switches and
 * rejections; readers get consistent-enough snapshots (each value is exact, two values read one
 * after the other may straddle an update).
 */
public final class ListenerMetrics {

    private final Map<Engine, LongAdder> accepts = new EnumMap<>(Engine.class);
    private final Map<Engine, LongAdder> connections = new EnumMap<>(Engine.class);
    private final Map<SwitchReason, AtomicLong> switches = new EnumMap<>(SwitchReason.class);
    private final Map<RejectReason, AtomicLong> rejections = new EnumMap<>(RejectReason.class);
    private volatile Engine activeEngine;
    private volatile StartDecision startDecision;
    private volatile String ioUringTier = "UNKNOWN";

    public ListenerMetrics() {
        for (Engine engine : Engine.values()) {
            accepts.put(engine, new LongAdder());
            connections.put(engine, new LongAdder());
        }
        for (SwitchReason reason : SwitchReason.values()) {
            switches.put(reason, new AtomicLong());
        }
        for (RejectReason reason : RejectReason.values()) {
            rejections.put(reason, new AtomicLong());
        }
    }

    // --- writers

    /** The listener starts: its start decision becomes the active engine; {@code tier} is the io_uring tier's name. */
    public void recordStart(StartDecision decision, String tier) {
        this.startDecision = Objects.requireNonNull(decision, "decision");
        this.ioUringTier = Objects.requireNonNull(tier, "tier");
        this.activeEngine = decision.engine();
    }

    /** An engine accepted a connection: one more accept and one more open connection on it. */
    public void recordAccept(Engine engine) {
        accepts.get(engine).increment();
        connections.get(engine).increment();
    }

    /** A connection served by {@code engine} closed. */
    public void recordClose(Engine engine) {
        connections.get(engine).decrement();
    }

    /** An open connection moved between engines (transplant): not an accept. */
    public void recordMove(Engine from, Engine to) {
        connections.get(from).decrement();
        connections.get(to).increment();
    }

    /** A switch happened: counted by reason, and {@code target} is now the active engine. */
    public void recordSwitch(SwitchReason reason, Engine target) {
        switches.get(reason).incrementAndGet();
        this.activeEngine = Objects.requireNonNull(target, "target");
    }

    /** A switch a rule asked for was refused. */
    public void recordRejection(RejectReason reason) {
        rejections.get(reason).incrementAndGet();
    }

    /** The active engine changed without a counted switch (the controller following reality). */
    public void setActiveEngine(Engine engine) {
        this.activeEngine = Objects.requireNonNull(engine, "engine");
    }

    /** The io_uring tier changed, e.g. to {@code UNAVAILABLE} after its engine failed to start. */
    public void setIoUringTier(String tier) {
        this.ioUringTier = Objects.requireNonNull(tier, "tier");
    }

    // --- readers

    /** The engine accepting new connections; {@code null} before {@link #recordStart}. */
    public Engine activeEngine() {
        return activeEngine;
    }

    /** The start decision; {@code null} before {@link #recordStart}. */
    public StartDecision startDecision() {
        return startDecision;
    }

    /** The io_uring tier's name ({@code UNKNOWN} before {@link #recordStart}). */
    public String ioUringTier() {
        return ioUringTier;
    }

    public long accepts(Engine engine) {
        return accepts.get(engine).sum();
    }

    /** Open connections served by {@code engine}. */
    public long connections(Engine engine) {
        return connections.get(engine).sum();
    }

    /** Switches of every reason. */
    public long switches() {
        return sum(switches);
    }

    public long switches(SwitchReason reason) {
        return switches.get(reason).get();
    }

    /** Every reason, zeros included, in declaration order. */
    public Map<SwitchReason, Long> switchesByReason() {
        return snapshot(switches, SwitchReason.class);
    }

    /** Rejected switches of every reason. */
    public long rejections() {
        return sum(rejections);
    }

    public long rejections(RejectReason reason) {
        return rejections.get(reason).get();
    }

    /** Every reason, zeros included, in declaration order. */
    public Map<RejectReason, Long> rejectionsByReason() {
        return snapshot(rejections, RejectReason.class);
    }

    private static long sum(Map<?, AtomicLong> counters) {
        long total = 0;
        for (AtomicLong counter : counters.values()) {
            total += counter.get();
        }
        return total;
    }

    private static <K extends Enum<K>> Map<K, Long> snapshot(Map<K, AtomicLong> counters, Class<K> type) {
        Map<K, Long> copy = new EnumMap<>(type);
        counters.forEach((key, counter) -> copy.put(key, counter.get()));
        return Collections.unmodifiableMap(copy);
    }
}
