package dev.adaptiveio.adaptive.control;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link AdaptiveListenerMXBean} over a listener's {@link ListenerMetrics} and {@link ListenerControl}:
 * converts typed values to the strings and maps JMX clients read. Holds no state of its own.
 */
public final class AdaptiveListenerBean implements AdaptiveListenerMXBean {

    private final String worker;
    private final String listener;
    private final ListenerMetrics metrics;
    private final ListenerControl control;

    public AdaptiveListenerBean(String worker, String listener, ListenerMetrics metrics, ListenerControl control) {
        this.worker = Objects.requireNonNull(worker, "worker");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.control = Objects.requireNonNull(control, "control");
    }

    @Override
    public String getWorker() {
        return worker;
    }

    @Override
    public String getListener() {
        return listener;
    }

    @Override
    public String getActiveEngine() {
        return name(metrics.activeEngine());
    }

    @Override
    public String getStartEngine() {
        StartDecision start = metrics.startDecision();
        return start == null ? null : start.engine().providerName();
    }

    @Override
    public String getStartReason() {
        StartDecision start = metrics.startDecision();
        return start == null ? null : start.reason();
    }

    @Override
    public String getIoUringTier() {
        return metrics.ioUringTier();
    }

    @Override
    public long getEpollAccepts() {
        return metrics.accepts(Engine.EPOLL);
    }

    @Override
    public long getIoUringAccepts() {
        return metrics.accepts(Engine.IO_URING);
    }

    @Override
    public long getEpollConnections() {
        return metrics.connections(Engine.EPOLL);
    }

    @Override
    public long getIoUringConnections() {
        return metrics.connections(Engine.IO_URING);
    }

    @Override
    public long getSwitches() {
        return metrics.switches();
    }

    @Override
    public Map<String, Long> getSwitchesByReason() {
        return byName(metrics.switchesByReason());
    }

    @Override
    public long getRejectedSwitches() {
        return metrics.rejections();
    }

    @Override
    public Map<String, Long> getRejectedSwitchesByReason() {
        return byName(metrics.rejectionsByReason());
    }

    @Override
    public boolean isFrozen() {
        return control.isFrozen();
    }

    @Override
    public int getFreezeCount() {
        return control.freezeCount();
    }

    @Override
    public void forceSwitch(String engine) {
        control.forceSwitch(Engine.ofProviderName(engine));
    }

    @Override
    public void freeze() {
        control.freeze();
    }

    @Override
    public void unfreeze() {
        control.unfreeze();
    }

    private static String name(Engine engine) {
        return engine == null ? null : engine.providerName();
    }

    private static Map<String, Long> byName(Map<? extends Enum<?>, Long> counts) {
        Map<String, Long> named = new LinkedHashMap<>();
        counts.forEach((reason, count) -> named.put(reason.name(), count));
        return named;
    }
}
