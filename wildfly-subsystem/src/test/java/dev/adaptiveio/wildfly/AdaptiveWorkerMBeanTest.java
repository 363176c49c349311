package dev.adaptiveio.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ModelType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.XnioWorker;

/**
 * The JMX side of the adaptive metrics and operations, against MXBeans that follow the adaptive provider's listener
 * contract (adaptive-selector's AdaptiveListenerMXBean, same names and types), registered in the real platform
 * MBeanServer: two listeners on one worker, one listener on another worker that must not leak in.
 */
class AdaptiveWorkerMBeanTest {

    public interface ListenerContractMXBean {
        String getWorker();
        String getListener();
        String getActiveEngine();
        String getIoUringTier();
        long getEpollAccepts();
        long getIoUringAccepts();
        long getEpollConnections();
        long getIoUringConnections();
        long getSwitches();
        Map<String, Long> getSwitchesByReason();
        long getRejectedSwitches();
        Map<String, Long> getRejectedSwitchesByReason();
        boolean isFrozen();
        int getFreezeCount();
        void forceSwitch(String engine);
        void freeze();
        void unfreeze();
    }

    public static final class Listener implements ListenerContractMXBean {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final String worker;
        final String listener;
        final String activeEngine;
        final long epollConnections;
        final long ioUringConnections;
        volatile int freezeCount;

        Listener(String worker, String listener, String activeEngine, long epollConnections, long ioUringConnections) {
            this.worker = worker;
            this.listener = listener;
            this.activeEngine = activeEngine;
            this.epollConnections = epollConnections;
            this.ioUringConnections = ioUringConnections;
        }

        public String getWorker() { return this.worker; }
        public String getListener() { return this.listener; }
        public String getActiveEngine() { return this.activeEngine; }
        public String getIoUringTier() { return "FULL"; }
        public long getEpollAccepts() { return 10; }
        public long getIoUringAccepts() { return 20; }
        public long getEpollConnections() { return this.epollConnections; }
        public long getIoUringConnections() { return this.ioUringConnections; }
        public long getSwitches() { return 2; }
        public Map<String, Long> getSwitchesByReason() { return Map.of("LOAD_UP", 1L, "LOAD_DOWN", 1L, "FORCED", 0L); }
        public long getRejectedSwitches() { return 1; }
        public Map<String, Long> getRejectedSwitchesByReason() { return Map.of("COOLDOWN", 1L); }
        public boolean isFrozen() { return this.freezeCount > 0; }
        public int getFreezeCount() { return this.freezeCount; }
        public void forceSwitch(String engine) {
            if (!engine.equals("epoll") && !engine.equals("io_uring")) {
                throw new IllegalArgumentException("unknown engine " + engine);
            }
            this.calls.add("forceSwitch:" + engine);
        }
        public void freeze() { this.freezeCount++; this.calls.add("freeze"); }
        public void unfreeze() {
            if (this.freezeCount == 0) {
                throw new IllegalStateException("not frozen");
            }
            this.freezeCount--;
            this.calls.add("unfreeze");
        }
    }

    /** The provider's worker-level contract (adaptive-selector's AdaptiveWorkerMXBean). */
    public interface WorkerContractMXBean {
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

    public static final class WorkerBean implements WorkerContractMXBean {
        final List<String> calls = new CopyOnWriteArrayList<>();
        public String getActiveEngine() { return "mixed"; }
        public long getEpollConnections() { return 99; }
        public long getIoUringConnections() { return 1; }
        public long getSwitches() { return 7; }
        public Map<String, Long> getSwitchesByReason() { return Map.of("LOAD_UP", 7L); }
        public long getTransplants() { return 5; }
        public Map<String, Long> getTransplantsByReason() { return Map.of("MOVED", 5L); }
        public String getIoUringTier() { return "FULL"; }
        public boolean isFrozen() { return false; }
        public void forceSwitch(String engine) { this.calls.add("forceSwitch:" + engine); }
        public void freeze() { this.calls.add("freeze"); }
        public void unfreeze() { this.calls.add("unfreeze"); }
    }

    private static final String WORKER = "mbean-test";
    private final Listener http = new Listener(WORKER, "127.0.0.1:8080", "io_uring", 3, 40);
    private final Listener admin = new Listener(WORKER, "127.0.0.1:9990", "epoll", 5, 0);
    private final Listener elsewhere = new Listener("other-worker", "127.0.0.1:8081", "epoll", 100, 100);
    private final List<ObjectName> registered = new ArrayList<>();
    private XnioWorker worker;

    @BeforeEach
    void start() throws Exception {
        for (Listener listener : List.of(this.http, this.admin, this.elsewhere)) {
            ObjectName name = AdaptiveWorkerMBean.listener(listener.worker, listener.listener);
            ManagementFactory.getPlatformMBeanServer().registerMBean(listener, name);
            this.registered.add(name);
        }
        this.worker = new WorkerFactory(WorkerConfiguration.of(WORKER, "nio", 1, 1, 2, 60_000, 0),
                ProviderLoaders.only("org.xnio.nio.NioXnioProvider")).get();
    }

    @AfterEach
    void stop() throws Exception {
        WorkerFactory.stop(this.worker);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : this.registered) {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        }
    }

    @Test
    void objectNamesFollowTheProvidersRule() throws Exception {
        assertEquals(new ObjectName("dev.adaptiveio:type=Listener,worker=w1,listener=\"127.0.0.1:8080\""),
                AdaptiveWorkerMBean.listener("w1", "127.0.0.1:8080"));
        assertTrue(AdaptiveWorkerMBean.listenersOf("w1").apply(AdaptiveWorkerMBean.listener("w1", "127.0.0.1:8080")));
        assertFalse(AdaptiveWorkerMBean.listenersOf("w1").apply(AdaptiveWorkerMBean.listener("w2", "127.0.0.1:8080")));
    }

    @Test
    void adaptiveMetricsAggregateTheWorkersListeners() throws Exception {
        assertEquals("mixed", WorkerMetric.ACTIVE_ENGINE.execute(this.worker).asString(), "listeners differ");
        assertEquals("FULL", WorkerMetric.IO_URING_TIER.execute(this.worker).asString());
        assertEquals(8L, WorkerMetric.EPOLL_CONNECTIONS.execute(this.worker).asLong(), "3 + 5, not the other worker's 100");
        assertEquals(40L, WorkerMetric.IO_URING_CONNECTIONS.execute(this.worker).asLong());
        assertEquals(20L, WorkerMetric.EPOLL_ACCEPTS.execute(this.worker).asLong());
        assertEquals(40L, WorkerMetric.IO_URING_ACCEPTS.execute(this.worker).asLong());
        assertEquals(4L, WorkerMetric.SWITCHES.execute(this.worker).asLong());
        ModelNode byReason = WorkerMetric.SWITCHES_BY_REASON.execute(this.worker);
        assertEquals(ModelType.OBJECT, byReason.getType());
        assertEquals(2L, byReason.get("LOAD_UP").asLong());
        assertEquals(2L, byReason.get("LOAD_DOWN").asLong());
        assertEquals(0L, byReason.get("FORCED").asLong());
        assertEquals(2L, WorkerMetric.REJECTED_SWITCHES.execute(this.worker).asLong());
        assertEquals(2L, WorkerMetric.REJECTED_SWITCHES_BY_REASON.execute(this.worker).get("COOLDOWN").asLong());
        assertFalse(WorkerMetric.FROZEN.execute(this.worker).asBoolean());
        assertFalse(WorkerMetric.TRANSPLANTS.execute(this.worker).isDefined(), "no Transplants attribute on these beans yet");
        ModelNode engines = WorkerMetric.LISTENER_ENGINES.execute(this.worker);
        assertEquals(2, engines.keys().size(), engines.toString());
        assertEquals("io_uring", engines.get("127.0.0.1:8080").asString());
        assertEquals("epoll", engines.get("127.0.0.1:9990").asString());
    }

    @Test
    void xnioMetricsComeFromTheWorker() throws Exception {
        assertEquals("nio", WorkerMetric.RUNNING_ENGINE.execute(this.worker).asString());
        assertEquals(1, WorkerMetric.IO_THREAD_COUNT.execute(this.worker).asInt());
        assertEquals(1, WorkerMetric.CORE_POOL_SIZE.execute(this.worker).asInt());
        assertEquals(2, WorkerMetric.MAX_POOL_SIZE.execute(this.worker).asInt());
        assertEquals(0, WorkerMetric.CONNECTION_COUNT.execute(this.worker).asInt());
        assertEquals(0, WorkerMetric.QUEUE_SIZE.execute(this.worker).asInt());
        assertEquals(ModelType.OBJECT, WorkerMetric.LISTENER_CONNECTIONS.execute(this.worker).getType());
        assertTrue(WorkerMetric.LISTENER_CONNECTIONS.execute(this.worker).keys().isEmpty(), "no listener on this worker");
        assertEquals("127.0.0.1:8080", WorkerMetric.hostAndPort("/127.0.0.1:8080"));
        assertEquals("[::1]:8080", WorkerMetric.hostAndPort("localhost/[::1]:8080"));
    }

    @Test
    void adaptiveMetricsAreUndefinedWithoutListeners() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        server.unregisterMBean(AdaptiveWorkerMBean.listener(WORKER, "127.0.0.1:8080"));
        server.unregisterMBean(AdaptiveWorkerMBean.listener(WORKER, "127.0.0.1:9990"));
        for (WorkerMetric metric : WorkerMetric.values()) {
            if (metric.adaptiveAttribute() != null) {
                assertFalse(metric.execute(this.worker).isDefined(), metric.getName());
            }
        }
    }

    @Test
    void operationsOnAWorkerWithoutListenersFailEvenWithAWorkerMXBean() throws Exception {
        WorkerBean bean = new WorkerBean();
        ObjectName name = AdaptiveWorkerMBean.worker("listenerless");
        ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
        this.registered.add(name);
        for (String operation : List.of("freeze", "unfreeze")) {
            OperationFailedException e = assertThrows(OperationFailedException.class,
                    () -> AdaptiveWorkerMBean.invoke("listenerless", "adaptive", operation, operation, new Object[0], new String[0]));
            assertTrue(e.getMessage().startsWith("ADIOWF0014") && e.getMessage().contains("'" + operation + "'"), e.getMessage());
        }
        OperationFailedException e = assertThrows(OperationFailedException.class, () -> AdaptiveWorkerMBean.invoke("listenerless", "adaptive",
                "force-switch", "forceSwitch", new Object[] { "io_uring" }, new String[] { String.class.getName() }));
        assertTrue(e.getMessage().startsWith("ADIOWF0014"), e.getMessage());
        assertTrue(bean.calls.isEmpty(), "a freeze the worker would forget must not be reported as done: " + bean.calls);
    }

    @Test
    void operationsReachEveryListenerOfTheWorker() throws Exception {
        ModelNode switched = AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "force-switch", "forceSwitch", new Object[] { "epoll" }, new String[] { String.class.getName() });
        assertEquals(List.of("127.0.0.1:8080", "127.0.0.1:9990"), switched.asList().stream().map(ModelNode::asString).toList());
        AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "freeze", "freeze", new Object[0], new String[0]);
        assertTrue(WorkerMetric.FROZEN.execute(this.worker).asBoolean());
        AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "unfreeze", "unfreeze", new Object[0], new String[0]);
        assertFalse(WorkerMetric.FROZEN.execute(this.worker).asBoolean());
        assertEquals(List.of("forceSwitch:epoll", "freeze", "unfreeze"), this.http.calls);
        assertEquals(List.of("forceSwitch:epoll", "freeze", "unfreeze"), this.admin.calls);
        assertTrue(this.elsewhere.calls.isEmpty(), "another worker's listener is not touched");
    }

    @Test
    void workerMXBeanComesFirstAndListenersFillTheRest() throws Exception {
        WorkerBean bean = new WorkerBean();
        ObjectName name = AdaptiveWorkerMBean.worker(WORKER);
        assertEquals(new ObjectName("dev.adaptiveio:type=AdaptiveWorker,name=" + WORKER), name);
        ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
        this.registered.add(name);

        assertEquals("mixed", WorkerMetric.ACTIVE_ENGINE.execute(this.worker).asString());
        assertEquals(99L, WorkerMetric.EPOLL_CONNECTIONS.execute(this.worker).asLong());
        assertEquals(7L, WorkerMetric.SWITCHES_BY_REASON.execute(this.worker).get("LOAD_UP").asLong());
        assertEquals(5L, WorkerMetric.TRANSPLANTS.execute(this.worker).asLong());
        assertEquals(20L, WorkerMetric.EPOLL_ACCEPTS.execute(this.worker).asLong(), "not on the worker bean: summed over listeners");
        assertEquals(2L, WorkerMetric.REJECTED_SWITCHES.execute(this.worker).asLong());

        ModelNode switched = AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "force-switch", "forceSwitch", new Object[] { "io_uring" }, new String[] { String.class.getName() });
        assertEquals(List.of("127.0.0.1:8080", "127.0.0.1:9990"), switched.asList().stream().map(ModelNode::asString).toList());
        assertEquals(List.of("forceSwitch:io_uring"), bean.calls);
        assertTrue(this.http.calls.isEmpty() && this.admin.calls.isEmpty(), "the worker bean fans out itself");
    }

    @Test
    void operationErrorsAreClear() {
        OperationFailedException failed = assertThrows(OperationFailedException.class, () -> AdaptiveWorkerMBean.invoke(WORKER, "adaptive",
                "force-switch", "forceSwitch", new Object[] { "nio" }, new String[] { String.class.getName() }));
        assertTrue(failed.getMessage().contains("ADIOWF0015") && failed.getMessage().contains("unknown engine nio"), failed.getMessage());

        OperationFailedException notFrozen = assertThrows(OperationFailedException.class,
                () -> AdaptiveWorkerMBean.invoke(WORKER, "adaptive", "unfreeze", "unfreeze", new Object[0], new String[0]));
        assertTrue(notFrozen.getMessage().contains("not frozen"), notFrozen.getMessage());

        OperationFailedException notAdaptive = assertThrows(OperationFailedException.class,
                () -> WorkerOperation.FREEZE.execute(null, new ModelNode(), this.worker));
        assertTrue(notAdaptive.getMessage().contains("ADIOWF0012") && notAdaptive.getMessage().contains("runs engine 'nio'"), notAdaptive.getMessage());
        assertTrue(this.http.calls.isEmpty() && this.admin.calls.isEmpty(), "nothing reached the MXBeans");

        OperationFailedException none = assertThrows(OperationFailedException.class,
                () -> AdaptiveWorkerMBean.invoke("no-listeners", "adaptive", "freeze", "freeze", new Object[0], new String[0]));
        assertTrue(none.getMessage().contains("ADIOWF0014") && none.getMessage().contains("worker=no-listeners"), none.getMessage());
    }
}
