package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.adaptive.AdaptiveListener;
import dev.adaptiveio.adaptive.AdaptiveXnioWorker;
import dev.adaptiveio.adaptive.control.AdaptiveOptions;
import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.adaptive.control.StartMode;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/**
 * On the adaptive provider (one worker with both engines' threads, one listening socket with
 * both engines' acceptors) with {@code TRANSPLANT} on: the extension joins the listener by
 * itself ({@link AdaptiveTransplant}, found by the provider's ServiceLoader), so a switch of the
 * listener marks its connections for the new engine. Idle keep-alive connections accepted on
 * epoll are served by io_uring threads after a switch to io_uring, and by epoll again after the
 * switch back. The only thing the application adds is the request hook.
 */
class AdaptiveTransplantTest {

    private static final HttpString SERVED = new HttpString("X-Served");

    /** Requests served per client connection (the X-Conn header), to find lost or duplicated requests. */
    private final ConcurrentHashMap<String, AtomicLong> served = new ConcurrentHashMap<>();
    private AdaptiveXnioWorker worker;
    private Undertow undertow;
    private Transplant transplant;
    private AdaptiveListener listener;
    private int port;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio xnio = Xnio.getInstance("adaptive", getClass().getClassLoader());
        assertEquals("adaptive", xnio.getName());
        worker = (AdaptiveXnioWorker) xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, 1)
                .set(AdaptiveOptions.START, StartMode.EPOLL)
                .set(AdaptiveOptions.TRANSPLANT, true)
                .getMap());
        transplant = Transplant.global();
        undertow = Undertow.builder().setWorker(worker).addHttpListener(0, "127.0.0.1")
                .setHandler(Transplant.handler(this::answer)).build();
        try {
            undertow.start();
        } catch (LinkageError e) {
            // Only when building this module alone against sibling jars in ~/.m2 that were built
            // against different core versions; a reactor build never gets here.
            undertow = null;
            assumeTrue(false, "adaptive-selector in the local repository does not link with xnio-native-core: " + e);
        }
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        assertTrue(transplant.isEnabled(), "the listener's TRANSPLANT option switched the extension on");
        listener = worker.listeners().get(0);
        listener.control().freeze(); // no automatic switch during the test: only ours
    }

    private void answer(HttpServerExchange exchange) {
        NativeIoThread io = (NativeIoThread) exchange.getIoThread();
        String conn = exchange.getRequestHeaders().getFirst("X-Conn");
        if (conn != null) {
            exchange.getResponseHeaders().put(SERVED, served.computeIfAbsent(conn, k -> new AtomicLong()).incrementAndGet());
        }
        exchange.getResponseHeaders().put(TestServer.IO_THREAD, io.getName());
        exchange.getResponseHeaders().put(TestServer.IO_ENGINE, io.engineName());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(io.getName() + " " + exchange.getRequestHeaders().getFirst("X-Seq"));
    }

    @AfterEach
    void stop() throws Exception {
        if (undertow != null) {
            undertow.stop();
        }
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
        if (transplant != null) {
            transplant.clearMarks();
            transplant.setEnabled(false);
        }
    }

    @Test
    void aSwitchMovesIdleKeepAliveConnectionsToTheNewEngineAndBack() throws Exception {
        int fds = TestServer.openFds();
        long toUring = transplant.metrics().moved("epoll", "io_uring");
        long toEpoll = transplant.metrics().moved("io_uring", "epoll");
        long lost = transplant.metrics().lostTotal();
        long refused = transplant.metrics().refusedTotal();
        List<HttpConn> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                HttpConn c = new HttpConn(port, "a" + i);
                conns.add(c);
                assertEquals("epoll", c.get("/", 1).header("X-IO-Engine"));
            }
            listener.control().forceSwitch(Engine.IO_URING);
            TestServer.await("moved to io_uring", () -> transplant.metrics().moved("epoll", "io_uring") - toUring == 8);
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/", 2);
                assertEquals("io_uring", r.header("X-IO-Engine"), c.id + " served by io_uring after the switch");
                assertTrue(r.body().endsWith(" 2"), r.body());
            }
            // A new connection goes to io_uring by routing alone.
            try (HttpConn fresh = new HttpConn(port, "fresh")) {
                assertEquals("io_uring", fresh.get("/", 1).header("X-IO-Engine"));
            }
            javax.management.MBeanServer mbs = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName bean = mbs.queryNames(new javax.management.ObjectName(
                    "dev.adaptiveio:type=AdaptiveWorker,*"), null).stream()
                    .filter(n -> worker.getName().equals(javax.management.ObjectName.unquote(
                            n.getKeyProperty("name").startsWith("\"") ? n.getKeyProperty("name")
                                    : javax.management.ObjectName.quote(n.getKeyProperty("name")))))
                    .findFirst().orElseThrow(() -> new AssertionError("no AdaptiveWorker MXBean for " + worker.getName()));
            assertEquals(toUring + toEpoll + 8, mbs.getAttribute(bean, "Transplants"),
                    "the worker MXBean shows the moves the extension published");

            listener.control().forceSwitch(Engine.EPOLL);
            try {
                // 8, or 9 when the server had not yet seen the fresh connection's close when the
                // switch came (it is then moved, and closed on epoll).
                TestServer.await("moved back to epoll", () -> transplant.metrics().moved("io_uring", "epoll") - toEpoll >= 8
                        && Transplant.trackedOf(transplant).stream().allMatch(t -> t.engine().equals("epoll")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + transplant + " " + Transplant.trackedOf(transplant), e);
            }
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/", 3);
                assertEquals("epoll", r.header("X-IO-Engine"), c.id + " served by epoll after the switch back");
                assertTrue(r.body().endsWith(" 3"), r.body());
            }
            assertEquals(lost, transplant.metrics().lostTotal());
            assertEquals(refused, transplant.metrics().refusedTotal(), transplant.toString());
        } finally {
            for (HttpConn c : conns) {
                c.close();
            }
        }
        TestServer.assertFdsBackTo(fds);
    }

    /**
     * A switch back while connections are on their way (detached from epoll, their arrival queued on the
     * blocked io_uring thread): the listener then accepts on epoll again, yet each connection is taken up
     * where it arrives (the server keeps its io_uring acceptor) and the revert's mark brings it back to epoll
     * at its next boundary. None is lost. (Seen in WildFly when the controller reverted a forced switch while
     * the moves were under way.)
     */
    @Test
    void aSwitchBackWhileConnectionsAreOnTheirWayLosesNone() throws Exception {
        long lost = transplant.metrics().lostTotal();
        long toUring = transplant.metrics().moved("epoll", "io_uring");
        long toEpoll = transplant.metrics().moved("io_uring", "epoll");
        // Start the io_uring engine and its acceptor first, with no connection to move.
        listener.control().forceSwitch(Engine.IO_URING);
        listener.control().forceSwitch(Engine.EPOLL);
        NativeIoThread[] uringThreads = worker.ioThreads(EngineId.IO_URING);
        assertEquals(1, uringThreads.length, "the io_uring engine started");
        NativeIoThread uring = uringThreads[0];
        assertEquals("io_uring", uring.engineName());
        List<HttpConn> conns = new ArrayList<>();
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService control = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 4; i++) {
                HttpConn c = new HttpConn(port, "w" + i);
                conns.add(c);
                assertEquals("epoll", c.get("/", 1).header("X-IO-Engine"));
            }
            uring.execute(() -> {
                blocked.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(blocked.await(5, TimeUnit.SECONDS), "io_uring thread blocked");
            control.submit(() -> listener.control().forceSwitch(Engine.IO_URING)).get(5, TimeUnit.SECONDS);
            // Detached from epoll (no longer tracked there, or tracked as moving); the arrivals wait for io_uring.
            TestServer.await("all four detached, arrival queued", () -> Transplant.trackedOf(transplant).stream()
                    .noneMatch(t -> t.engine().equals("epoll") && t.state.get() != TrackedConnection.MOVING));
            assertEquals(toUring, transplant.metrics().moved("epoll", "io_uring"), "none arrived yet");
            control.submit(() -> listener.control().forceSwitch(Engine.EPOLL)).get(5, TimeUnit.SECONDS);
            release.countDown();
            TestServer.await("arrived on io_uring", () -> transplant.metrics().moved("epoll", "io_uring") - toUring == 4
                    || transplant.metrics().lostTotal() != lost);
            assertEquals(lost, transplant.metrics().lostTotal(), transplant.metrics().counts()::toString);
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/", 2);
                assertTrue(r.body().endsWith(" 2"), r.body());
            }
            TestServer.await("back on epoll", () -> transplant.metrics().moved("io_uring", "epoll") - toEpoll >= 4
                    && Transplant.trackedOf(transplant).stream().allMatch(t -> t.engine().equals("epoll")));
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/", 3);
                assertEquals("epoll", r.header("X-IO-Engine"), c.id + " served by epoll after the switch back");
                assertTrue(r.body().endsWith(" 3"), r.body());
            }
            assertEquals(lost, transplant.metrics().lostTotal(), transplant.metrics().counts()::toString);
        } finally {
            release.countDown();
            control.shutdownNow();
            for (HttpConn c : conns) {
                c.close();
            }
        }
    }

    /**
     * Issue 6's load test across engines: 1,000 keep-alive connections driven by 8 client threads while forced
     * switches flip the listener between epoll and io_uring (there and back twice), and every connection has
     * been served by both engines. Every response carries the server's count for its connection, which must equal the client's
     * sequence number (none lost, none served twice); sent = served; no move lost; fds back to baseline.
     */
    @Test
    void thousandConnectionsFollowSwitchesBetweenEnginesUnderLoad() throws Exception {
        int connections = 1000;
        int fds = TestServer.openFds();
        long lost = transplant.metrics().lostTotal();
        long toUring = transplant.metrics().moved("epoll", "io_uring");
        long toEpoll = transplant.metrics().moved("io_uring", "epoll");
        Set<String> bothEngines = Set.of("epoll", "io_uring");
        try (KeepAliveLoad load = new KeepAliveLoad(port, connections, 8, (c, n, r) -> {
            assertEquals(200, r.status());
            assertTrue(r.body().endsWith(" " + n), c.id + " answered out of order: " + r.body());
            assertEquals(Long.toString(n), r.header("X-Served"), c.id + " lost or duplicated a request");
            return r.header("X-IO-Engine");
        })) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int switches = 0;
            // Four switches: there and back twice, each one while every connection is busy.
            while (System.nanoTime() < deadline && (switches < 4 || !load.everyConnectionServedIn(bothEngines, 2))) {
                listener.control().forceSwitch(switches % 2 == 0 ? Engine.IO_URING : Engine.EPOLL);
                switches++;
                Thread.sleep(500);
                load.checkClients();
            }
            load.stop();
            TransplantMetrics m = transplant.metrics();
            System.out.println("adaptive load: " + load.sent() + " requests, " + switches + " switches, " + m);
            assertTrue(load.everyConnectionServedIn(bothEngines, 2), "every connection was served by epoll and io_uring");
            assertTrue(m.moved("epoll", "io_uring") - toUring >= connections, m.toString());
            assertTrue(m.moved("io_uring", "epoll") - toEpoll >= connections, m.toString());
            assertEquals(lost, m.lostTotal(), m.toString());
            load.assertSentEqualsServed(id -> served.get(id).get());
        }
        TestServer.assertFdsBackTo(fds);
    }
}
