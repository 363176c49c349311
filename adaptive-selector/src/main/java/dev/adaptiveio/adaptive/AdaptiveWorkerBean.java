package dev.adaptiveio.adaptive;

import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.adaptive.control.ListenerMetrics;
import org.jboss.logging.Logger;

/** {@link AdaptiveWorkerMXBean} over the worker's {@link AdaptiveListener}s. */
final class AdaptiveWorkerBean implements AdaptiveWorkerMXBean, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AdaptiveWorkerBean.class);

    private final AdaptiveXnioWorker worker;
    private volatile Supplier<Map<String, Long>> transplants = Collections::emptyMap;
    private ObjectName name;

    AdaptiveWorkerBean(AdaptiveXnioWorker worker) {
        this.worker = worker;
    }

    static ObjectName objectName(String worker) throws JMException {
        boolean plain = worker.chars().noneMatch(c -> ",=:\"*?\n".indexOf(c) >= 0);
        return new ObjectName("dev.adaptiveio:type=AdaptiveWorker,name=" + (plain ? worker : ObjectName.quote(worker)));
    }

    void register() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            name = objectName(worker.getName());
            server.registerMBean(this, name);
        } catch (JMException | RuntimeException e) {
            LOG.debugf(e, "Could not register the MXBean of worker %s", worker.getName());
            name = null;
        }
    }

    void transplantCounts(Supplier<Map<String, Long>> counts) {
        this.transplants = counts;
    }

    @Override
    public void close() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException ignored) {
                // already gone
            }
            name = null;
        }
    }

    @Override
    public String getActiveEngine() {
        String engine = null;
        for (AdaptiveListener l : worker.listeners()) {
            String e = l.activeEngine().providerName();
            if (engine == null) {
                engine = e;
            } else if (!engine.equals(e)) {
                return "mixed";
            }
        }
        return engine == null ? worker.engine().name() : engine;
    }

    @Override
    public long getEpollConnections() {
        return worker.listeners().stream().mapToLong(l -> l.metrics().connections(Engine.EPOLL)).sum();
    }

    @Override
    public long getIoUringConnections() {
        return worker.listeners().stream().mapToLong(l -> l.metrics().connections(Engine.IO_URING)).sum();
    }

    @Override
    public long getSwitches() {
        return worker.listeners().stream().mapToLong(l -> l.metrics().switches()).sum();
    }

    @Override
    public Map<String, Long> getSwitchesByReason() {
        Map<String, Long> sum = new TreeMap<>();
        for (AdaptiveListener l : worker.listeners()) {
            ListenerMetrics m = l.metrics();
            m.switchesByReason().forEach((reason, n) -> sum.merge(reason.name(), n, Long::sum));
        }
        return sum;
    }

    @Override
    public long getTransplants() {
        return transplants.get().entrySet().stream()
                .filter(e -> e.getKey().startsWith("moved"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Override
    public Map<String, Long> getTransplantsByReason() {
        return new TreeMap<>(transplants.get());
    }

    @Override
    public String getIoUringTier() {
        return worker.ioUring().usable() ? worker.ioUring().tier() : "UNAVAILABLE";
    }

    @Override
    public boolean isFrozen() {
        return worker.listeners().stream().anyMatch(l -> l.control().freezeCount() > 0);
    }

    @Override
    public void forceSwitch(String engine) {
        Engine target = Engine.ofProviderName(engine);
        for (AdaptiveListener l : worker.listeners()) {
            l.control().forceSwitch(target);
        }
    }

    @Override
    public void freeze() {
        worker.listeners().forEach(l -> l.control().freeze());
    }

    @Override
    public void unfreeze() {
        worker.listeners().forEach(l -> l.control().unfreeze());
    }
}
