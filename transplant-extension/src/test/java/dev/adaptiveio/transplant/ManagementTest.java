package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;

import org.junit.jupiter.api.Test;
import org.xnio.Option;
import org.xnio.OptionMap;

/** The flag's sources, the MXBean, and the explicit move API for an idle connection. */
class ManagementTest {

    @Test
    void flagIsOffByDefaultAndFollowsTheXnioOption() {
        assertFalse(TransplantOptions.enabledByEnvironment(), "off unless adaptiveio.transplant=true");
        try (Transplant t = new Transplant("options-" + System.nanoTime())) {
            assertFalse(t.isEnabled());
            t.configure(OptionMap.create(TransplantOptions.TRANSPLANT, true));
            assertTrue(t.isEnabled());
            // a TRANSPLANT option of another class (the WildFly subsystem passes a string)
            Option<String> other = Option.simple(ManagementTest.class, "TRANSPLANT", String.class);
            t.configure(OptionMap.create(other, "false"));
            assertFalse(t.isEnabled());
            t.configure(OptionMap.create(other, "true"));
            assertTrue(t.isEnabled());
        }
    }

    @Test
    void installsAsAWildFlyCustomFilter() throws Exception {
        // What WildFly's ConfiguredHandlerWrapper does: the (HttpHandler next) constructor, then
        // the filter's parameters through JavaBean setters.
        io.undertow.server.HttpHandler next = exchange -> { };
        Object filter = TransplantHandler.class.getConstructor(io.undertow.server.HttpHandler.class).newInstance(next);
        java.util.Map<String, java.beans.PropertyDescriptor> properties = new java.util.HashMap<>();
        for (java.beans.PropertyDescriptor d : java.beans.Introspector.getBeanInfo(TransplantHandler.class)
                .getPropertyDescriptors()) {
            properties.put(d.getName(), d);
        }
        try {
            properties.get("enabled").getWriteMethod().invoke(filter, "true");
            assertTrue(Transplant.global().isEnabled());
            properties.get("sweepMillis").getWriteMethod().invoke(filter, "250");
            assertEquals(next, ((TransplantHandler) filter).getNext());
            Object wrapper = TransplantHandlerWrapper.class.getConstructor().newInstance();
            assertTrue(((TransplantHandlerWrapper) wrapper).wrap(next) instanceof TransplantHandler);
        } finally {
            Transplant.global().setEnabled(false);
            Transplant.global().setSweepInterval(TransplantOptions.DEFAULT_SWEEP_MILLIS);
        }
    }

    @Test
    void metricsAreExposedAsAnMXBean() throws Exception {
        try (TestServer server = TestServer.epoll(2); HttpConn c = new HttpConn(server.port, "jmx")) {
            String from = c.get("/who", 1).thread();
            // the explicit API, on the server side's connection object
            TrackedConnection tracked = Transplant.trackedOf(server.transplant).iterator().next();
            MoveOutcome outcome = server.transplant.requestMove(tracked.connection,
                    Destination.threads(server.otherThan(from))).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(MoveOutcome.Status.MOVED, outcome.status(), outcome.toString());
            assertEquals(server.otherThan(from).getName(), c.get("/who", 2).thread());

            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.adaptiveio:type=Transplant,name=" + ObjectName.quote(server.transplant.name()));
            assertTrue(server.management.isRegistered());
            assertTrue(mbs.isRegistered(name));
            assertEquals(Boolean.TRUE, mbs.getAttribute(name, "Enabled"));
            assertEquals(1L, mbs.getAttribute(name, "MovedCount"));
            TabularData byDirection = (TabularData) mbs.getAttribute(name, "MovedByDirection");
            assertEquals(1, byDirection.size());
            assertTrue((Long) mbs.getAttribute(name, "MoveLatencyMaxMicros") >= 0);

            // The operation finds the server's threads through the manager's own connections.
            String back = (String) mbs.invoke(name, "markAllForThreads", new Object[] {from}, new String[] {String.class.getName()});
            assertTrue(back.contains(from), back);
            TestServer.await("moved back by the thread mark", () -> server.transplant.metrics().movedTotal() == 2);
            assertEquals(from, c.get("/who", 3).thread());
            server.transplant.clearMarks();
        }
    }

    @Test
    void registrationIsExplicitAndClosable() throws Exception {
        MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
        String own = "explicit-" + System.nanoTime();
        try (Transplant t = new Transplant(own, false)) {
            ObjectName name = TransplantManagement.objectName(own);
            assertFalse(mbs.isRegistered(name), "a manager alone registers nothing");
            try (TransplantManagement registration = TransplantManagement.register(t)) {
                assertTrue(mbs.isRegistered(name));
                assertFalse(TransplantManagement.register(t).isRegistered(), "a taken name is reported, not replaced");
            }
            assertFalse(mbs.isRegistered(name), "closing the registration unregisters");
        }
        ObjectName global = TransplantManagement.objectName(TransplantManagement.GLOBAL_NAME);
        Transplant first = Transplant.global();
        assertTrue(mbs.isRegistered(global), "the global manager registers when first asked for");
        assertTrue(first == Transplant.global());
        TransplantManagement.closeGlobal();
        assertFalse(mbs.isRegistered(global));
        assertFalse(first == Transplant.global(), "a new global manager after closeGlobal");
        assertTrue(mbs.isRegistered(global));
    }
}
