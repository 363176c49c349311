package dev.adaptiveio.transplant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the transplant extension did: moves by direction ({@code from->to}), refusals by
 * reason, connections lost after they left their engine, and the latency of a move from the
 * detach to the connection's delivery to its listener on the new thread.
 */
public final class TransplantMetrics {

    /** Upper bounds (microseconds, exclusive) of the latency histogram's buckets; the last is open. */
    private static final long[] BUCKET_MICROS = {50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000};

    private final ConcurrentHashMap<String, LongAdder> moved = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> lost = new ConcurrentHashMap<>();
    private final AtomicLongArray histogram = new AtomicLongArray(BUCKET_MICROS.length + 1);
    private final LongAdder latencySumNanos = new LongAdder();
    private final AtomicLong latencyMinNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong latencyMaxNanos = new AtomicLong();

    void moved(String from, String to, long nanos) {
        moved.computeIfAbsent(from + "->" + to, k -> new LongAdder()).increment();
        latencySumNanos.add(nanos);
        latencyMinNanos.accumulateAndGet(nanos, Math::min);
        latencyMaxNanos.accumulateAndGet(nanos, Math::max);
        long micros = nanos / 1000;
        int i = 0;
        while (i < BUCKET_MICROS.length && micros >= BUCKET_MICROS[i]) {
            i++;
        }
        histogram.incrementAndGet(i);
    }

    void countRefusal(Refusal reason) {
        refused.computeIfAbsent(reason.metricName(), k -> new LongAdder()).increment();
    }

    void lost(String why) {
        lost.computeIfAbsent(why, k -> new LongAdder()).increment();
    }

    /**
     * Everything counted, flat: {@code moved epoll->io_uring}, {@code refused http2},
     * {@code lost adopt failed}... (what the adaptive worker's MXBean publishes as
     * {@code TransplantsByReason}; its {@code Transplants} sums the {@code moved} keys).
     */
    public Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        moved.forEach((k, v) -> m.put("moved " + k, v.sum()));
        refused.forEach((k, v) -> m.put("refused " + k, v.sum()));
        lost.forEach((k, v) -> m.put("lost " + k, v.sum()));
        return m;
    }

    /** Moves by direction, e.g. {@code epoll->io_uring}. */
    public Map<String, Long> movedByDirection() {
        return snapshot(moved);
    }

    public long movedTotal() {
        return total(moved);
    }

    public long moved(String from, String to) {
        LongAdder a = moved.get(from + "->" + to);
        return a == null ? 0 : a.sum();
    }

    /** Refusals by reason ({@link Refusal#metricName()}). */
    public Map<String, Long> refusedByReason() {
        return snapshot(refused);
    }

    public long refused(Refusal reason) {
        LongAdder a = refused.get(reason.metricName());
        return a == null ? 0 : a.sum();
    }

    public long refusedTotal() {
        return total(refused);
    }

    /** Connections closed after leaving their engine (target thread gone, adopt failed), by cause. */
    public Map<String, Long> lostByCause() {
        return snapshot(lost);
    }

    public long lostTotal() {
        return total(lost);
    }

    /** Fastest move so far in microseconds, or -1 before the first. */
    public long latencyMinMicros() {
        long v = latencyMinNanos.get();
        return v == Long.MAX_VALUE ? -1 : v / 1000;
    }

    public long latencyMaxMicros() {
        return latencyMaxNanos.get() / 1000;
    }

    public long latencyAvgMicros() {
        long n = 0;
        for (int i = 0; i < histogram.length(); i++) {
            n += histogram.get(i);
        }
        return n == 0 ? -1 : latencySumNanos.sum() / n / 1000;
    }

    /** Moves per latency bucket, keyed by the bucket's bound ({@code <50us} ... {@code >=50000us}). */
    public Map<String, Long> latencyHistogram() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < BUCKET_MICROS.length; i++) {
            m.put("<" + BUCKET_MICROS[i] + "us", histogram.get(i));
        }
        m.put(">=" + BUCKET_MICROS[BUCKET_MICROS.length - 1] + "us", histogram.get(BUCKET_MICROS.length));
        return m;
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> map) {
        Map<String, Long> m = new TreeMap<>();
        map.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private static long total(ConcurrentHashMap<String, LongAdder> map) {
        long n = 0;
        for (LongAdder a : map.values()) {
            n += a.sum();
        }
        return n;
    }

    @Override
    public String toString() {
        return "moved " + movedByDirection() + ", refused " + refusedByReason() + ", lost " + lostByCause()
                + ", latency min/avg/max " + latencyMinMicros() + "/" + latencyAvgMicros() + "/" + latencyMaxMicros() + " us";
    }
}
