package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.naming.NameNotFoundException;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.adaptiveio.wildfly.arquillian.ejb.EchoBean;
import dev.adaptiveio.wildfly.arquillian.ejb.RemoteEcho;

/**
 * JBoss Remoting, a real XNIO user other than Undertow, on our workers: a remote EJB called by a standalone EJB client
 * ({@link EjbClient}, NIO on the client side) over {@code remote+http} on a listener of each engine, JNDI lookups, and
 * JMX over remoting, on the management endpoint and moved onto our listeners. An {@code http-remoting} connection is
 * the HTTP connection the listener accepted, upgraded, so it lives on the listener's worker; Remoting accepts it only when that is also the remoting endpoint's worker, so the
 * test moves the endpoint to each engine's worker by reload ({@link #configureRemoting}). On each engine it asserts
 * that the listener's worker counts the client's connection (and, on {@code adaptive}, which engine accepted it). No
 * call may fail, and the bean's per-tag counts prove that each call ran exactly once.
 * <p>
 * Remoting connectors on the shared server (configure-main.cli): {@code http-remoting-connector} on listener
 * {@code default} (epoll) and {@code remoting-uring} on listener {@code uring} (io_uring), both in the EJB subsystem's
 * remote connectors. The adaptive worker, its listener and connector are added by the test and removed afterwards;
 * the endpoint ends on {@code native} again.
 */
@Order(6)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemotingIT extends SharedServerTest {

    private static final int THREADS = 8;
    private static final int CALLS_PER_THREAD = 500;
    private static final int MIB = 1024 * 1024;

    private static final String ADAPTIVE = "remoting-adaptive";
    private static final String[] EJB_REMOTE = { "subsystem=ejb3", "service=remote" };
    /** The endpoint's worker, through the subsystem's attribute (as configure-common.cli sets it). */
    private static final String[] REMOTING_ENDPOINT = { "subsystem=remoting" };
    private static final int HTTP_ADAPTIVE = 8380 + Ports.SHARED;

    @Deployment(name = EjbClient.DEPLOYMENT, testable = false)
    static JavaArchive ejb() {
        return ShrinkWrap.create(JavaArchive.class, EjbClient.DEPLOYMENT + ".jar").addClasses(RemoteEcho.class, EchoBean.class);
    }

    @Test
    @Order(1)
    void ejbAndJndiOnTheEpollWorker() throws Exception {
        configureRemoting("native");
        callsOn(HTTP_EPOLL, "native", "epoll");
    }

    @Test
    @Order(5)
    void ejbAndJndiOnTheIoUringWorker() throws Exception {
        configureRemoting("uring");
        callsOn(HTTP_URING, "uring", "io_uring");
    }

    /**
     * Many calls from {@value #THREADS} threads and 1-4 MiB arguments at once over one client connection, a JNDI lookup
     * that misses, and the connection counted by the listener's worker while open and released after.
     */
    private static void callsOn(int port, String workerName, String engine) throws Exception {
        String listener = HttpConnection.HOST + ":" + port;
        ModelNode before = management.readRuntime(worker(workerName));
        assertEquals(engine, before.get("running-engine").asString(), before::toString);
        long openBefore = before.get("listener-connections", listener).asLong(0);

        try (EjbClient client = new EjbClient("client-" + engine, port)) {
            // The constructor's lookup went over the connection: the listener on our worker holds it now.
            assertTrue(connections(workerName, listener) >= openBefore + 1,
                    () -> "the client's connection is not counted on worker " + workerName + ": " + management.readRuntime(worker(workerName)));
            assertThrows(NameNotFoundException.class, () -> client.lookup(EjbClient.DEPLOYMENT + "/NoSuchBean!" + RemoteEcho.class.getName()),
                    "a name the server does not export");
            assertInstanceOf(RemoteEcho.class, client.lookup(EjbClient.JNDI_NAME), "a second lookup on the same connection");

            String tag = engine + "-" + System.nanoTime();
            CallLoad load = CallLoad.start(client, tag, THREADS, CALLS_PER_THREAD);
            largeArguments(client, tag + "-large", 1, 2, 3, 4);
            load.awaitNoFailure();
            assertEquals(THREADS * CALLS_PER_THREAD, count(client, tag), "each call ran exactly once");
            assertEquals(4, count(client, tag + "-large"));
            assertEquals(engine, management.readAttribute("running-engine", worker(workerName)).asString());
        }
        Await.until(Duration.ofSeconds(10), () -> connections(workerName, listener) <= openBefore,
                () -> "connection closed by the client still counted: " + management.readRuntime(worker(workerName)));
    }

    /**
     * An adaptive worker's listener: a client connected on epoll keeps calling while {@code force-switch} sends new
     * connections to io_uring; a second client then connects on io_uring and calls alongside; a switch back sends a
     * third to epoll. Accepts per engine show where each connection landed.
     */
    @Test
    @Order(6)
    void callsCarryOnWhileForceSwitchMovesNewConnections() throws Exception {
        addAdaptiveListenerWithRemoting();
        try {
            configureRemoting(ADAPTIVE);
            management.ok(op("freeze", worker(ADAPTIVE)));
            assertEquals("adaptive", management.readAttribute("running-engine", worker(ADAPTIVE)).asString());
            try (EjbClient onEpoll = new EjbClient("adaptive-first", HTTP_ADAPTIVE)) {
                ModelNode metrics = management.readRuntime(worker(ADAPTIVE));
                assertEquals("epoll", metrics.get("active-engine").asString(), metrics::toString);
                long epollAccepts = metrics.get("epoll-accepts").asLong();
                assertTrue(epollAccepts >= 1, metrics::toString);
                assertEquals(0, metrics.get("io-uring-accepts").asLong(), metrics::toString);

                String tagA = "adaptive-a-" + System.nanoTime();
                CallLoad onFirst = CallLoad.start(onEpoll, tagA, THREADS / 2, CALLS_PER_THREAD);
                onFirst.awaitStarted();
                forceSwitch("io_uring");

                try (EjbClient onUring = new EjbClient("adaptive-second", HTTP_ADAPTIVE)) {
                    ModelNode switched = management.readRuntime(worker(ADAPTIVE));
                    assertEquals("io_uring", switched.get("active-engine").asString(), switched::toString);
                    assertEquals(1, switched.get("io-uring-accepts").asLong(), () -> "the second client's connection: " + switched);
                    assertEquals(epollAccepts, switched.get("epoll-accepts").asLong(), switched::toString);

                    String tagB = "adaptive-b-" + System.nanoTime();
                    CallLoad onSecond = CallLoad.start(onUring, tagB, THREADS / 2, CALLS_PER_THREAD);
                    largeArguments(onUring, tagB + "-large", 4, 1);
                    largeArguments(onEpoll, tagA + "-large", 2, 3);
                    onSecond.awaitNoFailure();
                    onFirst.awaitNoFailure();
                    assertEquals(THREADS / 2 * CALLS_PER_THREAD, count(onEpoll, tagA));
                    assertEquals(THREADS / 2 * CALLS_PER_THREAD, count(onUring, tagB));
                    ModelNode both = management.readRuntime(worker(ADAPTIVE));
                    assertTrue(both.get("epoll-connections").asLong() >= 1 && both.get("io-uring-connections").asLong() >= 1, both::toString);

                    forceSwitch("epoll");
                    try (EjbClient third = new EjbClient("adaptive-third", HTTP_ADAPTIVE)) {
                        assertEquals("third:1", third.call(bean -> bean.call("third", 1)));
                        ModelNode after = management.readRuntime(worker(ADAPTIVE));
                        assertEquals(epollAccepts + 1, after.get("epoll-accepts").asLong(), after::toString);
                        assertEquals(1, after.get("io-uring-accepts").asLong(), after::toString);
                        // The established connections stayed where they were accepted and still work.
                        assertEquals("a:1", onEpoll.call(bean -> bean.call("a", 1)));
                        assertEquals("b:1", onUring.call(bean -> bean.call("b", 1)));
                    }
                }
            }
        } finally {
            removeAdaptiveListenerWithRemoting();
        }
    }

    /**
     * JMX over remoting on the management endpoint (WildFly's default, and what Arquillian itself uses) reads our
     * worker's metrics, here a connection held open on the worker's listener. {@link #jmxOnTheRemotingConnectors} moves
     * JMX onto our workers' listeners.
     */
    @Test
    @Order(3)
    void jmxOverRemotingReadsOurWorkersMetrics() throws Exception {
        String listener = HttpConnection.HOST + ":" + HTTP_EPOLL;
        JMXServiceURL url = new JMXServiceURL("service:jmx:remote+http://" + HttpConnection.HOST + ":" + (Ports.MANAGEMENT + Ports.SHARED));
        try (JMXConnector connector = JMXConnectorFactory.connect(url);
                HttpConnection held = HttpConnection.open(HTTP_EPOLL)) {
            assertEquals(200, held.get(TestApp.CONTEXT + "/plaintext").status());
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName nativeWorker = new ObjectName("jboss.as:subsystem=adaptive-io,worker=native");
            assertEquals("epoll", server.getAttribute(nativeWorker, "runningEngine"));
            assertEquals(2, ((Number) server.getAttribute(nativeWorker, "ioThreadCount")).intValue());
            long seenOverJmx = perListener(server.getAttribute(nativeWorker, "listenerConnections"), listener);
            assertTrue(seenOverJmx >= 1, () -> "the held connection on " + listener + ": " + seenOverJmx);
            assertEquals(management.readAttribute("io-thread-count", worker("native")).asInt(),
                    ((Number) server.getAttribute(nativeWorker, "ioThreadCount")).intValue(), "the same metric as over the management API");
        }
    }

    /**
     * JMX moved onto the remoting endpoint ({@code use-management-endpoint=false}) is served by the {@code http-remoting}
     * connectors, so its requests arrive on our worker's listener and are unmarshalled on our worker's threads: first on
     * the epoll worker's listener, then, the endpoint moved, on the io_uring worker's. The requests name
     * {@code javax.management} classes that the thread's context class loader must see (else {@code
     * ClassNotFoundException: javax.management.ObjectName from [Module "org.wildfly.service"]}). JMX goes back to the
     * management endpoint afterwards: Arquillian reads deployments there.
     */
    @Test
    @Order(4)
    void jmxOnTheRemotingConnectors() throws Exception {
        configureRemoting("native");
        jmxOnTheManagementEndpoint(false);
        try {
            jmxOverRemotingOn(HTTP_EPOLL, "native", "epoll");
            configureRemoting("uring");
            jmxOverRemotingOn(HTTP_URING, "uring", "io_uring");
        } finally {
            jmxOnTheManagementEndpoint(true);
        }
    }

    /**
     * Over {@code service:jmx:remote+http} on our worker's listener: the worker's MBean holds the values the management
     * API reads, and its {@code listenerConnections} counts both the held HTTP connection and the JMX connection itself
     * (an HTTP connection that listener accepted and upgraded).
     */
    private static void jmxOverRemotingOn(int port, String workerName, String engine) throws Exception {
        String listener = HttpConnection.HOST + ":" + port;
        JMXServiceURL url = new JMXServiceURL("service:jmx:remote+http://" + listener);
        try (HttpConnection held = HttpConnection.open(port);
                JMXConnector connector = JMXConnectorFactory.connect(url)) {
            assertEquals(200, held.get(TestApp.CONTEXT + "/plaintext").status());
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName mbean = new ObjectName("jboss.as:subsystem=adaptive-io,worker=" + workerName);
            assertEquals(engine, server.getAttribute(mbean, "runningEngine"), "runningEngine over JMX on " + listener);
            assertEquals(management.readAttribute("io-thread-count", worker(workerName)).asInt(),
                    ((Number) server.getAttribute(mbean, "ioThreadCount")).intValue(), "the same metric as over the management API");
            long seenOverJmx = perListener(server.getAttribute(mbean, "listenerConnections"), listener);
            assertTrue(seenOverJmx >= 2, () -> "the held HTTP connection and the JMX connection on " + listener + ": " + seenOverJmx);
            Set<ObjectName> workers = server.queryNames(new ObjectName("jboss.as:subsystem=adaptive-io,worker=*"), null);
            assertTrue(workers.contains(new ObjectName("jboss.as:subsystem=adaptive-io,worker=native"))
                    && workers.contains(new ObjectName("jboss.as:subsystem=adaptive-io,worker=uring")), workers::toString);
        }
    }

    /** Moves JMX's remoting connector to (or back from) the remoting endpoint, reloading if the write asks for it. */
    private static void jmxOnTheManagementEndpoint(boolean onManagement) {
        String[] jmxConnector = { "subsystem=jmx", "remoting-connector=jmx" };
        if (onManagement != management.readAttribute("use-management-endpoint", jmxConnector).asBoolean()) {
            ModelNode write = op("write-attribute", jmxConnector);
            write.get("name").set("use-management-endpoint");
            write.get("value").set(onManagement);
            management.ok(write);
        }
        if (!"running".equals(management.serverState())) {
            management.reload();
        }
    }

    /**
     * A server reload in the middle: the calling threads pause at a barrier, the server reloads (closing the client's
     * connection), and the same proxies carry on over a new connection. Zero failed calls; the counts show that the
     * calls after the reload reached the reloaded deployment.
     */
    @Test
    @Order(2)
    void callsPausedAroundAReloadContinueOnANewConnection() throws Exception {
        String listener = HttpConnection.HOST + ":" + HTTP_EPOLL;
        int perPhase = 100;
        configureRemoting("native");
        try (EjbClient client = new EjbClient("reload", HTTP_EPOLL)) {
            String before = "before-reload-" + System.nanoTime();
            String after = "after-reload-" + System.nanoTime();
            CyclicBarrier paused = new CyclicBarrier(THREADS + 1);
            CyclicBarrier resumed = new CyclicBarrier(THREADS + 1);
            Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                threads.add(started("reload-caller-" + t, () -> {
                    try {
                        callRange(client, before, thread * perPhase, perPhase);
                        paused.await(60, TimeUnit.SECONDS);
                        resumed.await(180, TimeUnit.SECONDS);
                        callRange(client, after, thread * perPhase, perPhase);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            paused.await(60, TimeUnit.SECONDS);
            assertEquals(THREADS * perPhase, count(client, before));
            management.reload();
            resumed.await(60, TimeUnit.SECONDS);
            for (Thread thread : threads) {
                thread.join(TimeUnit.MINUTES.toMillis(2));
            }
            assertNoFailure(failures);
            assertEquals(THREADS * perPhase, count(client, after), "each call after the reload ran exactly once");
            assertEquals(0, count(client, before), "the calls after the reload reached the reloaded deployment");
            assertTrue(connections("native", listener) >= 1, () -> management.readRuntime(worker("native")).toString());
        }
    }

    /** Back to the shared server's configuration: remoting on {@code native}. */
    @AfterAll
    static void remotingAsBefore() {
        configureRemoting("native");
    }

    /**
     * Points the remoting endpoint at {@code endpointWorker}, reloading if that changed it. An {@code http-remoting}
     * upgrade is refused unless the listener's worker is the endpoint's ({@code JBREM000211: Invalid XNIO worker; the
     * worker must match the Remoting Endpoint worker}), and the endpoint has one worker: remoting runs on one worker's
     * listeners at a time.
     */
    private static void configureRemoting(String endpointWorker) {
        if (!endpointWorker.equals(management.readAttribute("worker", REMOTING_ENDPOINT).asString())) {
            management.writeAttribute("worker", endpointWorker, REMOTING_ENDPOINT);
            management.reload();
        }
    }

    private static void callRange(EjbClient client, String tag, long first, int count) {
        for (long sequence = first; sequence < first + count; sequence++) {
            long s = sequence;
            String reply = client.call(bean -> bean.call(tag, s));
            assertEquals(tag + ":" + s, reply);
        }
    }

    private static void largeArguments(EjbClient client, String tag, int... sizesMiB) {
        for (int size : sizesMiB) {
            byte[] payload = new byte[size * MIB];
            ThreadLocalRandom.current().nextBytes(payload);
            byte[] back = client.call(bean -> bean.echo(tag, payload));
            assertArrayEquals(payload, back, size + " MiB round trip");
        }
    }

    private static long count(EjbClient client, String tag) {
        return client.call(bean -> bean.count(tag));
    }

    private static long connections(String workerName, String listener) {
        return management.readRuntime(worker(workerName)).get("listener-connections", listener).asLong(0);
    }

    /** A map-valued model attribute as the JMX subsystem exposes it: a table of key/value rows. */
    private static long perListener(Object attribute, String listener) {
        if (attribute instanceof TabularData table) {
            for (Object row : table.values()) {
                CompositeData entry = (CompositeData) row;
                if (listener.equals(entry.get("key"))) {
                    return ((Number) entry.get("value")).longValue();
                }
            }
            return 0;
        }
        if (attribute instanceof CompositeData composite && composite.containsKey(listener)) {
            return ((Number) composite.get(listener)).longValue();
        }
        throw new AssertionError("unexpected listenerConnections over JMX: " + attribute);
    }

    private static void forceSwitch(String engine) {
        ModelNode force = op("force-switch", worker(ADAPTIVE));
        force.get("to").set(engine);
        ModelNode reached = management.ok(force);
        assertEquals(HttpConnection.HOST + ":" + HTTP_ADAPTIVE, reached.get(0).asString(), reached::toString);
    }

    private static void addAdaptiveListenerWithRemoting() {
        ModelNode add = op("add", worker(ADAPTIVE));
        add.get("engine").set("adaptive");
        add.get("io-threads").set(1);
        add.get("start").set("epoll");
        management.ok(add);
        ModelNode binding = op("add", "socket-binding-group=standard-sockets", "socket-binding=" + ADAPTIVE);
        binding.get("port").set(HTTP_ADAPTIVE - Ports.SHARED);
        management.ok(binding);
        ModelNode listener = op("add", httpListener(ADAPTIVE));
        listener.get("socket-binding").set(ADAPTIVE);
        listener.get("worker").set(ADAPTIVE);
        management.ok(listener);
        ModelNode connector = op("add", "subsystem=remoting", "http-connector=" + ADAPTIVE);
        connector.get("connector-ref").set(ADAPTIVE);
        connector.get("sasl-authentication-factory").set("application-sasl-authentication");
        management.ok(connector);
        // EJB invocations are taken only on the connectors listed here (else WFLYEJB0527); applied by the reload.
        ejbConnectors("http-remoting-connector", "remoting-uring", ADAPTIVE);
    }

    private static void ejbConnectors(String... connectors) {
        ModelNode write = op("write-attribute", EJB_REMOTE);
        write.get("name").set("connectors");
        for (String connector : connectors) {
            write.get("value").add(connector);
        }
        management.ok(write);
    }

    private static void removeAdaptiveListenerWithRemoting() {
        management.execute(op("unfreeze", worker(ADAPTIVE)));
        // First the references, applied by a reload: until then the EJB subsystem's runtime still needs the connector.
        if (ADAPTIVE.equals(management.readAttribute("worker", REMOTING_ENDPOINT).asString())) {
            management.writeAttribute("worker", "native", REMOTING_ENDPOINT);
        }
        ejbConnectors("http-remoting-connector", "remoting-uring");
        if (!"running".equals(management.serverState())) {
            management.reload();
        }
        management.ok(op("remove", "subsystem=remoting", "http-connector=" + ADAPTIVE));
        management.ok(op("remove", httpListener(ADAPTIVE)));
        management.ok(op("remove", "socket-binding-group=standard-sockets", "socket-binding=" + ADAPTIVE));
        if (!"running".equals(management.serverState())) {
            management.reload();
        }
        management.ok(op("remove", worker(ADAPTIVE)));
    }

    private static Thread started(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }

    static void assertNoFailure(Queue<Throwable> failures) {
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " failed call(s), the first attached");
            error.initCause(failures.peek());
            throw error;
        }
    }

    /** Calls from several threads over one client, started at once and awaited later. */
    static final class CallLoad {
        private final List<Thread> threads = new ArrayList<>();
        private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        private final CountDownLatch firstReplies;

        private CallLoad(int threadCount) {
            this.firstReplies = new CountDownLatch(threadCount);
        }

        static CallLoad start(EjbClient client, String tag, int threadCount, int callsPerThread) {
            CallLoad load = new CallLoad(threadCount);
            for (int t = 0; t < threadCount; t++) {
                long first = (long) t * callsPerThread;
                load.threads.add(started(tag + "-" + t, () -> {
                    try {
                        for (long sequence = first; sequence < first + callsPerThread; sequence++) {
                            long s = sequence;
                            assertEquals(tag + ":" + s, client.call(bean -> bean.call(tag, s)));
                            if (s == first) {
                                load.firstReplies.countDown();
                            }
                        }
                    } catch (Throwable e) {
                        load.failures.add(e);
                        load.firstReplies.countDown();
                    }
                }));
            }
            return load;
        }

        /** Waits until every thread had a reply (or failed): calls are in flight from here on. */
        void awaitStarted() throws InterruptedException {
            assertTrue(this.firstReplies.await(60, TimeUnit.SECONDS), "no first replies within 60 s");
        }

        void awaitNoFailure() throws InterruptedException {
            for (Thread thread : this.threads) {
                thread.join(TimeUnit.MINUTES.toMillis(3));
                assertTrue(!thread.isAlive(), thread.getName() + " still calling after 3 minutes");
            }
            assertNoFailure(this.failures);
        }
    }
}
