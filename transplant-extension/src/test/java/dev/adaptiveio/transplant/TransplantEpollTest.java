package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.epoll.EpollIoThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Moves between the two epoll I/O threads of one worker, through a real Undertow server: the
 * next request on a moved connection is served by the target thread.
 */
class TransplantEpollTest {

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nextRequestIsServedByTheTargetThread() throws Exception {
        server = TestServer.epoll(2);
        int fds = TestServer.openFds();
        try (HttpConn c = new HttpConn(server.port, "a")) {
            HttpConn.Response first = c.get("/who", 1);
            assertEquals(200, first.status());
            NativeIoThread from = server.threadNamed(first.thread());
            assertTrue(from instanceof EpollIoThread);
            int to = from == server.thread(0) ? 1 : 0;

            HttpConn.Response moving = c.get("/move?to=" + to, 2);
            assertEquals(from.getName(), moving.thread(), "the response that asks for the move comes from the old thread");
            MoveOutcome outcome = server.outcomes.get("a").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(MoveOutcome.Status.MOVED, outcome.status(), outcome.toString());
            assertEquals(server.thread(to).getName(), outcome.targetThread());

            for (int i = 3; i < 10; i++) {
                HttpConn.Response r = c.get("/who", i);
                assertEquals(server.thread(to).getName(), r.thread(), "served by the target thread");
                assertEquals("epoll", r.header("X-IO-Engine"));
                assertTrue(r.body().endsWith(" " + i + " " + i), r.body());
            }
            assertEquals(1, server.transplant.metrics().moved("epoll", "epoll"));
            assertTrue(server.transplant.metrics().latencyMaxMicros() >= 0);
            assertEquals(0, server.transplant.metrics().lostTotal());
        }
        TestServer.assertFdsBackTo(fds);
    }

    @Test
    void requestSentWhileTheFdIsBetweenThreadsIsServed() throws Exception {
        server = TestServer.epoll(2);
        java.util.concurrent.CountDownLatch targetBusy = new java.util.concurrent.CountDownLatch(1);
        // Hold the target thread for a while before it can adopt: the next request reaches the
        // socket while no engine polls it.
        server.transplant.setTargetSelector((connection, engine, candidates) -> {
            NativeIoThread target = candidates.get(0);
            target.execute(() -> {
                targetBusy.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            return target;
        });
        try (HttpConn c = new HttpConn(server.port, "d")) {
            NativeIoThread from = server.threadNamed(c.get("/who", 1).thread());
            int to = from == server.thread(0) ? 1 : 0;
            c.get("/move?to=" + to, 2);
            assertTrue(targetBusy.await(10, TimeUnit.SECONDS));
            c.send(HttpConn.request("/who", "d", 3));
            HttpConn.Response r = c.read();
            assertEquals(server.thread(to).getName(), r.thread(), "answered by the target thread");
            assertTrue(r.body().endsWith(" 3 3"), r.body());
            assertEquals(MoveOutcome.Status.MOVED,
                    server.outcomes.get("d").toCompletableFuture().get(10, TimeUnit.SECONDS).status());
            assertTrue(server.transplant.metrics().latencyMaxMicros() >= 250_000,
                    "the move waited for the busy target: " + server.transplant.metrics());
        }
    }

    @Test
    void pipelinedRequestTravelsWithTheMove() throws Exception {
        server = TestServer.epoll(2);
        try (HttpConn c = new HttpConn(server.port, "p")) {
            NativeIoThread from = server.threadNamed(c.get("/who", 1).thread());
            int to = from == server.thread(0) ? 1 : 0;
            // Both requests in one segment: Undertow reads the second ahead while serving the first.
            c.send(HttpConn.request("/move?to=" + to, "p", 2) + HttpConn.request("/who", "p", 3));
            HttpConn.Response r1 = c.read();
            HttpConn.Response r2 = c.read();
            assertEquals(from.getName(), r1.thread());
            assertEquals(server.thread(to).getName(), r2.thread(), () -> "the pipelined request was parsed on the target thread: "
                    + server.transplant + " " + server.outcomes.get("p"));
            assertTrue(r2.body().endsWith(" 3 3"), r2.body());
            assertEquals(MoveOutcome.Status.MOVED,
                    server.outcomes.get("p").toCompletableFuture().get(10, TimeUnit.SECONDS).status());
            HttpConn.Response r3 = c.get("/who", 4);
            assertEquals(server.thread(to).getName(), r3.thread());
            assertTrue(r3.body().endsWith(" 4 4"), r3.body());
        }
    }

    @Test
    void exchangeCompletedOnAWorkerThreadMovesToo() throws Exception {
        server = TestServer.epoll(2);
        try (HttpConn c = new HttpConn(server.port, "w")) {
            NativeIoThread from = server.threadNamed(c.get("/blocking", 1).thread());
            NativeIoThread to = server.otherThan(from.getName());
            server.transplant.markForMigration(null, Destination.threads(to));
            // Idle after a request completed off the I/O thread: the sweep moves it.
            TestServer.await("moved", () -> server.transplant.metrics().movedTotal() == 1);
            assertEquals(to.getName(), c.get("/blocking", 2).thread());
        }
    }

    @Test
    void requestedMoveHappensAtABoundaryReachedOnAWorkerThread() throws Exception {
        server = TestServer.epoll(2);
        try (HttpConn c = new HttpConn(server.port, "bw")) {
            NativeIoThread from = server.threadNamed(c.get("/blocking", 1).thread());
            int to = from == server.thread(0) ? 1 : 0;
            HttpConn.Response r = c.get("/blocking-move?to=" + to, 2);
            assertEquals(from.getName(), r.thread());
            MoveOutcome outcome = server.outcomes.get("bw").toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(MoveOutcome.Status.MOVED, outcome.status(), outcome.toString());
            for (int i = 3; i < 6; i++) {
                HttpConn.Response next = c.get("/blocking", i);
                assertEquals(server.thread(to).getName(), next.thread());
                assertTrue(next.body().endsWith(" " + i + " " + i), next.body());
            }
        }
    }

    @Test
    void markSweepsIdleConnectionsAndRevertBringsThemBack() throws Exception {
        server = TestServer.epoll(2);
        int fds = TestServer.openFds();
        List<HttpConn> conns = new ArrayList<>();
        try {
            int onZero = 0;
            for (int i = 0; i < 20; i++) {
                HttpConn c = new HttpConn(server.port, "c" + i);
                conns.add(c);
                if (c.get("/who", 1).thread().equals(server.thread(0).getName())) {
                    onZero++;
                }
            }
            assertTrue(onZero > 0 && onZero < 20, "connections are spread over both threads");
            Mark mark = server.transplant.markForMigration(null, Destination.threads(server.thread(1)));
            int expected = onZero;
            TestServer.await("idle connections swept", () -> server.transplant.metrics().movedTotal() == expected);
            for (HttpConn c : conns) {
                assertEquals(server.thread(1).getName(), c.get("/who", 2).thread(), c.id);
            }
            assertEquals(Set0.of(server.thread(0)), mark.sources());

            server.transplant.revert(null);
            TestServer.await("moved back", () -> server.transplant.metrics().movedTotal() == expected + 20);
            for (HttpConn c : conns) {
                HttpConn.Response r = c.get("/who", 3);
                assertEquals(server.thread(0).getName(), r.thread(), c.id);
                assertTrue(r.body().endsWith(" 3 3"), r.body());
            }
            assertEquals(0, server.transplant.metrics().lostTotal());
        } finally {
            for (HttpConn c : conns) {
                c.close();
            }
        }
        TestServer.assertFdsBackTo(fds);
    }

    @Test
    void flagOffLeavesConnectionsAlone() throws Exception {
        server = new TestServer("epoll", 2, false, null);
        try (HttpConn c = new HttpConn(server.port, "off")) {
            String first = c.get("/who", 1).thread();
            server.transplant.markForMigration(null, Destination.threads(server.otherThan(first)));
            c.get("/move?to=" + (first.equals(server.thread(0).getName()) ? 1 : 0), 2);
            Thread.sleep(200);
            for (int i = 3; i < 6; i++) {
                assertEquals(first, c.get("/who", i).thread());
            }
            assertEquals(0, server.transplant.metrics().movedTotal());
            assertEquals(0, server.transplant.trackedConnections());
        }
    }

    @Test
    void markToTheEngineAConnectionIsOnDoesNothing() throws Exception {
        server = TestServer.epoll(2);
        try (HttpConn c = new HttpConn(server.port, "same")) {
            String first = c.get("/who", 1).thread();
            server.transplant.markForMigration(null, "epoll");
            Thread.sleep(100);
            assertEquals(first, c.get("/who", 2).thread());
            assertEquals(0, server.transplant.metrics().movedTotal());
            assertNotEquals(0, server.transplant.trackedConnections());
        }
    }

    /** Set.of for one element, named apart from java.util.Set to keep imports short. */
    private static final class Set0 {
        static java.util.Set<NativeIoThread> of(NativeIoThread t) {
            return java.util.Set.of(t);
        }
    }
}
