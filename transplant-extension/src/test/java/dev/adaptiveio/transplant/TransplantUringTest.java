package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.channels.AcceptingChannel;

/**
 * epoll -> io_uring and back, through a hand-wired Undertow listener on an epoll worker whose
 * open listener takes moved connections up on the threads of an io_uring worker. (With the
 * adaptive provider both engines share one worker and one listening socket; this is the same
 * move with the connection handed to the open listener directly.)
 */
class TransplantUringTest {

    private NativeXnioWorker epoll;
    private NativeXnioWorker uring;
    private AcceptingChannel<StreamConnection> server;
    private Transplant transplant;
    private int port;
    private final Map<String, AtomicLong> served = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio e = Xnio.getInstance("epoll", getClass().getClassLoader());
        Xnio u = Xnio.getInstance("io_uring", getClass().getClassLoader());
        assertEquals("epoll", e.getName());
        assertEquals("io_uring", u.getName());
        epoll = (NativeXnioWorker) e.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        uring = (NativeXnioWorker) u.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        transplant = new Transplant("uring-test-" + System.nanoTime(), true);
        transplant.addTargetWorker(uring);
        transplant.addTargetWorker(epoll);
        HttpOpenListener open = new HttpOpenListener(new DefaultByteBufferPool(true, 16 * 1024), OptionMap.EMPTY);
        open.setRootHandler(this::handle);
        transplant.wrapOpenListener(open);
        server = epoll.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0),
                ChannelListeners.openListenerAdapter(open), OptionMap.EMPTY);
        server.resumeAccepts();
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void handle(HttpServerExchange exchange) {
        if (exchange.getRelativePath().equals("/move")) {
            transplant.requestMove(exchange, Destination.engine(exchange.getQueryParameters().get("engine").getFirst()));
        }
        String id = exchange.getRequestHeaders().getFirst("X-Conn");
        long n = served.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
        NativeIoThread io = (NativeIoThread) exchange.getIoThread();
        exchange.getResponseHeaders().put(TestServer.IO_THREAD, io.getName());
        exchange.getResponseHeaders().put(TestServer.IO_ENGINE, io.engineName());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(io.getName() + " " + exchange.getRequestHeaders().getFirst("X-Seq") + " " + n);
    }

    @AfterEach
    void stop() throws Exception {
        IoUtils.safeClose(server);
        for (NativeXnioWorker w : new NativeXnioWorker[] {epoll, uring}) {
            if (w != null) {
                w.shutdown();
                assertTrue(w.awaitTermination(10, TimeUnit.SECONDS), w + " terminates");
            }
        }
        if (transplant != null) {
            transplant.close();
        }
    }

    @Test
    void nextRequestIsServedByAnIoUringThreadAndComesBack() throws Exception {
        int fds = TestServer.openFds();
        try (HttpConn c = new HttpConn(port, "u")) {
            assertEquals("epoll", c.get("/who", 1).header("X-IO-Engine"));
            assertEquals("epoll", c.get("/move?engine=io_uring", 2).header("X-IO-Engine"));
            for (int i = 3; i < 8; i++) {
                HttpConn.Response r = c.get("/who", i);
                assertEquals("io_uring", r.header("X-IO-Engine"), "served by io_uring after the move");
                assertEquals(uring.ioThreads()[0].getName(), r.thread());
                assertTrue(r.body().endsWith(" " + i + " " + i), r.body());
            }
            assertEquals(1, transplant.metrics().moved("epoll", "io_uring"));

            // and back: io_uring releases the fd asynchronously (in-flight receive cancelled)
            assertEquals("io_uring", c.get("/move?engine=epoll", 8).header("X-IO-Engine"));
            for (int i = 9; i < 12; i++) {
                HttpConn.Response r = c.get("/who", i);
                assertEquals("epoll", r.header("X-IO-Engine"));
                assertTrue(r.body().endsWith(" " + i + " " + i), r.body());
            }
            assertEquals(1, transplant.metrics().moved("io_uring", "epoll"));
        }
        TestServer.assertFdsBackTo(fds);
    }

    @Test
    void markMovesIdleEpollConnectionsToIoUringAndRevertBringsThemBack() throws Exception {
        List<HttpConn> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                HttpConn c = new HttpConn(port, "m" + i);
                conns.add(c);
                assertEquals("epoll", c.get("/who", 1).header("X-IO-Engine"));
            }
            transplant.markForMigration(null, "io_uring");
            TestServer.await("all moved to io_uring", () -> transplant.metrics().moved("epoll", "io_uring") == 16);
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/who", 2);
                assertEquals("io_uring", r.header("X-IO-Engine"), c.id);
                assertTrue(r.body().endsWith(" 2 2"), r.body());
            }
            assertTrue(transplant.revert(null) != null, "revert has somewhere to go");
            TestServer.await("all back on epoll", () -> transplant.metrics().moved("io_uring", "epoll") == 16);
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/who", 3);
                assertEquals("epoll", r.header("X-IO-Engine"), c.id);
                assertTrue(r.body().endsWith(" 3 3"), r.body());
            }
            assertEquals(0, transplant.metrics().lostTotal());
        } finally {
            for (HttpConn c : conns) {
                c.close();
            }
        }
    }

    @Test
    void pipelinedBytesTravelFromEpollToIoUring() throws Exception {
        try (HttpConn c = new HttpConn(port, "pp")) {
            c.get("/who", 1);
            c.send(HttpConn.request("/move?engine=io_uring", "pp", 2) + HttpConn.request("/who", "pp", 3));
            assertEquals("epoll", c.read().header("X-IO-Engine"));
            HttpConn.Response r = c.read();
            assertEquals("io_uring", r.header("X-IO-Engine"), "the pipelined request was parsed on io_uring");
            assertTrue(r.body().endsWith(" 3 3"), r.body());
        }
    }
}
