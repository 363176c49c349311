package dev.adaptiveio.adaptive.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

import javax.management.MBeanException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.RuntimeMBeanException;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.junit.jupiter.api.Test;

/** The listener MXBean as a JMX client sees it: through an MBeanServer, by name, with open types. */
class AdaptiveListenerMXBeanTest {

    /** A private server (newMBeanServer keeps no reference, so nothing to release). */
    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final FakeClock clock = new FakeClock();
    private final RecordingSwitch engineSwitch = new RecordingSwitch();
    private final ListenerMetrics metrics = new ListenerMetrics();
    private final ListenerController controller = new ListenerController("127.0.0.1:8080", ControllerConfig.defaults(),
            new StartDecision(Engine.EPOLL, StartGate.PROTOCOL, "h2c listener prefers epoll"), IoUringAvailability.viable("DEFER_TASKRUN"),
            engineSwitch, metrics, clock);

    private ListenerMBeanRegistration register() {
        return ListenerMBeanRegistration.register(server, new AdaptiveListenerBean("default", "127.0.0.1:8080", metrics, controller));
    }

    private static Map<String, Long> rows(Object tabular) {
        Map<String, Long> map = new HashMap<>();
        for (Object row : ((TabularData) tabular).values()) {
            CompositeData data = (CompositeData) row;
            map.put((String) data.get("key"), (Long) data.get("value"));
        }
        return map;
    }

    @Test
    void objectNameQuotesHostAndPort() throws Exception {
        ObjectName name = ListenerMBeanRegistration.objectName("default", "127.0.0.1:8080");
        assertEquals("dev.adaptiveio", name.getDomain());
        assertEquals("Listener", name.getKeyProperty("type"));
        assertEquals("default", name.getKeyProperty("worker"));
        assertEquals("127.0.0.1:8080", ObjectName.unquote(name.getKeyProperty("listener")));
        ObjectName v6 = ListenerMBeanRegistration.objectName("XNIO-1, x", "[::1]:8443");
        assertEquals("XNIO-1, x", ObjectName.unquote(v6.getKeyProperty("worker")));
        assertEquals("[::1]:8443", ObjectName.unquote(v6.getKeyProperty("listener")));
        assertTrue(server.queryNames(new ObjectName("dev.adaptiveio:type=Listener,*"), null).isEmpty());
    }

    @Test
    void attributesReadThroughJmx() throws Exception {
        metrics.recordAccept(Engine.EPOLL);
        metrics.recordAccept(Engine.EPOLL);
        metrics.recordAccept(Engine.IO_URING);
        metrics.recordClose(Engine.EPOLL);
        metrics.recordRejection(RejectReason.COOLDOWN);
        try (ListenerMBeanRegistration registration = register()) {
            ObjectName name = registration.name();
            assertTrue(server.isRegistered(name));
            assertEquals("default", server.getAttribute(name, "Worker"));
            assertEquals("127.0.0.1:8080", server.getAttribute(name, "Listener"));
            assertEquals("epoll", server.getAttribute(name, "ActiveEngine"));
            assertEquals("epoll", server.getAttribute(name, "StartEngine"));
            assertEquals("h2c listener prefers epoll", server.getAttribute(name, "StartReason"));
            assertEquals("DEFER_TASKRUN", server.getAttribute(name, "IoUringTier"));
            assertEquals(2L, server.getAttribute(name, "EpollAccepts"));
            assertEquals(1L, server.getAttribute(name, "IoUringAccepts"));
            assertEquals(1L, server.getAttribute(name, "EpollConnections"));
            assertEquals(1L, server.getAttribute(name, "IoUringConnections"));
            assertEquals(0L, server.getAttribute(name, "Switches"));
            assertEquals(1L, server.getAttribute(name, "RejectedSwitches"));
            Map<String, Long> rejected = rows(server.getAttribute(name, "RejectedSwitchesByReason"));
            assertEquals(RejectReason.values().length, rejected.size());
            assertEquals(1L, rejected.get("COOLDOWN"));
            assertEquals(false, server.getAttribute(name, "Frozen"));
            assertEquals(0, server.getAttribute(name, "FreezeCount"));
        }
    }

    @Test
    void operationsReachTheController() throws Exception {
        try (ListenerMBeanRegistration registration = register()) {
            ObjectName name = registration.name();
            server.invoke(name, "forceSwitch", new Object[] { "io_uring" }, new String[] { String.class.getName() });
            assertEquals(Engine.IO_URING, controller.activeEngine());
            assertEquals(java.util.List.of(Engine.IO_URING), engineSwitch.calls);
            assertEquals("io_uring", server.getAttribute(name, "ActiveEngine"));
            assertEquals(1L, server.getAttribute(name, "Switches"));
            assertEquals(1L, rows(server.getAttribute(name, "SwitchesByReason")).get("FORCED"));

            server.invoke(name, "freeze", null, null);
            server.invoke(name, "freeze", null, null);
            assertEquals(2, controller.freezeCount());
            assertEquals(true, server.getAttribute(name, "Frozen"));
            server.invoke(name, "unfreeze", null, null);
            server.invoke(name, "unfreeze", null, null);
            assertFalse(controller.isFrozen());
        }
    }

    @Test
    void badOperationsCarryAClearMessage() throws Exception {
        try (ListenerMBeanRegistration registration = register()) {
            ObjectName name = registration.name();
            Exception badEngine = assertThrows(Exception.class,
                    () -> server.invoke(name, "forceSwitch", new Object[] { "nio" }, new String[] { String.class.getName() }));
            Throwable cause = rootOf(badEngine);
            assertInstanceOf(IllegalArgumentException.class, cause);
            assertTrue(cause.getMessage().contains("'nio'") && cause.getMessage().contains("epoll or io_uring"), cause.getMessage());

            Exception notFrozen = assertThrows(Exception.class, () -> server.invoke(name, "unfreeze", null, null));
            assertInstanceOf(IllegalStateException.class, rootOf(notFrozen));
        }
    }

    private static Throwable rootOf(Exception e) {
        if (e instanceof RuntimeMBeanException || e instanceof MBeanException || e instanceof ReflectionException) {
            return e.getCause();
        }
        return e;
    }

    @Test
    void closeUnregistersAndIsIdempotent() {
        ListenerMBeanRegistration registration = register();
        ObjectName name = registration.name();
        assertTrue(server.isRegistered(name));
        registration.close();
        assertFalse(server.isRegistered(name));
        registration.close();
    }

    @Test
    void aSecondRegistrationUnderTheSameNameFailsClearly() {
        try (ListenerMBeanRegistration first = register()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, this::register);
            assertTrue(e.getMessage().contains("already registered"), e.getMessage());
            assertTrue(server.isRegistered(first.name()));
        }
    }

    @Test
    void registersInThePlatformServer() {
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        AdaptiveListenerBean bean = new AdaptiveListenerBean("platform-test", "127.0.0.1:0", metrics, controller);
        ObjectName name;
        try (ListenerMBeanRegistration registration = ListenerMBeanRegistration.register(bean)) {
            name = registration.name();
            assertTrue(platform.isRegistered(name));
        }
        assertFalse(platform.isRegistered(name));
    }
}
