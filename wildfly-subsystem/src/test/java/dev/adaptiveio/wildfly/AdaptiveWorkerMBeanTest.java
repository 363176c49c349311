package dev.adaptiveio.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import javax.management.ObjectName;

import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ModelType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.XnioWorker;

/**
 * The JMX side of the adaptive metrics and operations, against an MXBean that follows the documented contract
 * (the adaptive provider will publish the real one), registered in the real platform MBeanServer.
 */
class AdaptiveWorkerMBeanTest {

    public interface ContractMXBean {
        String getActiveEngine();
        long getEpollConnections();
        long getIoUringConnections();
        long getSwitches();
        Map<String, Long> getSwitchesByReason();
        long getTransplants();
        Map<String, Long> getTransplantsByReason();
        String getIoUringTier();
        boolean isFrozen();
        void forceSwitch(String engine);
        void freeze();
        void unfreeze();
    }

    public static final class Contract implements ContractMXBean {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean frozen;
        public String getActiveEngine() { return "io_uring"; }
        public long getEpollConnections() { return 3; }
        public long getIoUringConnections() { return 40; }
        public long getSwitches() { return 2; }
        public Map<String, Long> getSwitchesByReason() { return Map.of("load-up", 1L, "load-down", 1L); }
        public long getTransplants() { return 7; }
        public Map<String, Long> getTransplantsByReason() { return Map.of("moved", 7L); }
        public String getIoUringTier() { return "full"; }
        public boolean isFrozen() { return this.frozen; }
        public void forceSwitch(String engine) {
            if (!engine.equals("epoll") && !engine.equals("io_uring")) {
                throw new IllegalArgumentException("unknown engine " + engine);
            }
            this.calls.add("forceSwitch:" + engine);
        }
        public void freeze() { this.frozen = true; this.calls.add("freeze"); }
        public void unfreeze() { this.frozen = false; this.calls.add("unfreeze"); }
    }

    private static final String WORKER = "mbean-test";
    private final Contract contract = new Contract();
    private XnioWorker worker;

    @BeforeEach
    void start() throws Exception {
        ManagementFactory.getPlatformMBeanServer().registerMBean(this.contract, AdaptiveWorkerMBean.objectName(WORKER));
        this.worker = new WorkerFactory(new WorkerConfiguration(WORKER, "nio", 1, 1, 2, 60_000, 0, "auto", "AUTO", 24, 12, 2, 48, 30, 8192, 0.05, false),
                ProviderLoaders.only("org.xnio.nio.NioXnioProvider")).get();
    }

    @AfterEach
    void stop() throws Exception {
        WorkerFactory.stop(this.worker);
        ObjectName name = AdaptiveWorkerMBean.objectName(WORKER);
        if (ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
        }
    }

    @Test
    void objectNameFollowsTheContract() throws Exception {
        assertEquals(new ObjectName("dev.adaptiveio:type=AdaptiveWorker,name=w1"), AdaptiveWorkerMBean.objectName("w1"));
        // A name JMX cannot take as is gets quoted rather than rejected.
        assertEquals("\"a,b\"", AdaptiveWorkerMBean.objectName("a,b").getKeyProperty("name"));
    }

    @Test
    void adaptiveMetricsReadTheMXBean() throws Exception {
        assertEquals("io_uring", WorkerMetric.ACTIVE_ENGINE.execute(this.worker).asString());
        assertEquals(3L, WorkerMetric.EPOLL_CONNECTIONS.execute(this.worker).asLong());
        assertEquals(40L, WorkerMetric.IO_URING_CONNECTIONS.execute(this.worker).asLong());
        assertEquals(2L, WorkerMetric.SWITCHES.execute(this.worker).asLong());
        ModelNode byReason = WorkerMetric.SWITCHES_BY_REASON.execute(this.worker);
        assertEquals(ModelType.OBJECT, byReason.getType());
        assertEquals(1L, byReason.get("load-up").asLong());
        assertEquals(1L, byReason.get("load-down").asLong());
        assertEquals(7L, WorkerMetric.TRANSPLANTS.execute(this.worker).asLong());
        assertEquals(7L, WorkerMetric.TRANSPLANTS_BY_REASON.execute(this.worker).get("moved").asLong());
        assertEquals("full", WorkerMetric.IO_URING_TIER.execute(this.worker).asString());
        assertFalse(WorkerMetric.FROZEN.execute(this.worker).asBoolean());
    }

    @Test
    void xnioMetricsComeFromTheWorker() throws Exception {
        assertEquals("nio", WorkerMetric.RUNNING_ENGINE.execute(this.worker).asString());
        assertEquals(1, WorkerMetric.IO_THREAD_COUNT.execute(this.worker).asInt());
        assertEquals(1, WorkerMetric.CORE_POOL_SIZE.execute(this.worker).asInt());
        assertEquals(2, WorkerMetric.MAX_POOL_SIZE.execute(this.worker).asInt());
        assertEquals(0, WorkerMetric.CONNECTION_COUNT.execute(this.worker).asInt());
        assertEquals(0, WorkerMetric.QUEUE_SIZE.execute(this.worker).asInt());
    }

    @Test
    void adaptiveMetricsAreUndefinedWithoutTheMXBean() throws Exception {
        ManagementFactory.getPlatformMBeanServer().unregisterMBean(AdaptiveWorkerMBean.objectName(WORKER));
        for (WorkerMetric metric : WorkerMetric.values()) {
            if (metric.adaptiveAttribute() != null) {
                assertFalse(metric.execute(this.worker).isDefined(), metric.getName());
            }
        }
    }

    @Test
    void operationsReachTheMXBeanOfAnAdaptiveWorker() throws Exception {
        AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "force-switch", "forceSwitch", new Object[] { "epoll" }, new String[] { String.class.getName() });
        AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "freeze", "freeze", new Object[0], new String[0]);
        assertTrue(WorkerMetric.FROZEN.execute(this.worker).asBoolean());
        AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "unfreeze", "unfreeze", new Object[0], new String[0]);
        assertEquals(List.of("forceSwitch:epoll", "freeze", "unfreeze"), this.contract.calls);
    }

    @Test
    void operationErrorsAreClear() {
        OperationFailedException failed = assertThrows(OperationFailedException.class, () -> AdaptiveWorkerMBean.invoke(WORKER, "adaptive",
                "force-switch", "forceSwitch", new Object[] { "nio" }, new String[] { String.class.getName() }));
        assertTrue(failed.getMessage().contains("ADIOWF0015") && failed.getMessage().contains("unknown engine nio"), failed.getMessage());

        OperationFailedException notAdaptive = assertThrows(OperationFailedException.class,
                () -> WorkerOperation.FREEZE.execute(null, new ModelNode(), this.worker));
        assertTrue(notAdaptive.getMessage().contains("ADIOWF0012") && notAdaptive.getMessage().contains("runs engine 'nio'"), notAdaptive.getMessage());
        assertTrue(this.contract.calls.isEmpty(), "nothing reached the MXBean");

        OperationFailedException missing = assertThrows(OperationFailedException.class,
                () -> AdaptiveWorkerMBean.invoke("no-such-worker", "adaptive", "freeze", "freeze", new Object[0], new String[0]));
        assertTrue(missing.getMessage().contains("ADIOWF0014") && missing.getMessage().contains("name=no-such-worker"), missing.getMessage());
    }
}
