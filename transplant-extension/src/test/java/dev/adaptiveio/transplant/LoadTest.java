package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 keep-alive connections under load while marks move them between the two epoll threads
 * back and forth: no request fails, none is lost or served twice (the server's count per
 * connection equals the client's sequence number on every response), every connection moves,
 * and no fd is left behind.
 */
class LoadTest {

    private static final int CONNECTIONS = 1000;
    private static final int CLIENT_THREADS = 8;

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thousandConnectionsMoveUnderLoadWithoutLosingARequest() throws Exception {
        server = TestServer.epoll(2);
        server.transplant.setSweepInterval(20);
        int fds = TestServer.openFds();
        try (KeepAliveLoad load = new KeepAliveLoad(server.port, CONNECTIONS, CLIENT_THREADS, (c, n, r) -> {
            assertEquals(200, r.status());
            // "<thread> <seq> <served count>": one request, one response, in order
            String[] parts = r.body().split(" ");
            assertEquals(n, Long.parseLong(parts[parts.length - 2]), c.id + " answered out of order");
            assertEquals(n, Long.parseLong(parts[parts.length - 1]), c.id + " lost or duplicated a request");
            return r.thread();
        })) {
            // Flip the connections between the threads until every one has been served by both.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int flips = 0;
            while (System.nanoTime() < deadline && !load.everyConnectionServedIn(Set.of(), 2)) {
                server.transplant.markForMigration(null, Destination.threads(server.thread(flips % 2)));
                flips++;
                Thread.sleep(300);
                load.checkClients();
            }
            load.stop();
            server.transplant.clearMarks();
            TransplantMetrics m = server.transplant.metrics();
            System.out.println("load: " + load.sent() + " requests, " + flips + " flips, " + m);
            assertTrue(load.everyConnectionServedIn(Set.of(), 2), "every connection was served by both threads");
            assertTrue(m.movedTotal() >= CONNECTIONS, "at least " + CONNECTIONS + " moves: " + m);
            assertEquals(0, m.lostTotal(), m.toString());
            load.assertSentEqualsServed(id -> server.served.get(id).get());
        }
        TestServer.assertFdsBackTo(fds);
        TestServer.await("closed connections forgotten", () -> server.transplant.trackedConnections() == 0);
    }
}
