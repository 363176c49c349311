package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
        List<HttpConn> conns = new ArrayList<>();
        ConcurrentHashMap<String, Set<String>> threadsSeen = new ConcurrentHashMap<>();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                conns.add(new HttpConn(server.port, "L" + i));
            }
            long[] seq = new long[CONNECTIONS];
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                int first = t;
                work.add(clients.submit(() -> {
                    while (!stop.get()) {
                        for (int i = first; i < CONNECTIONS; i += CLIENT_THREADS) {
                            HttpConn c = conns.get(i);
                            long n = ++seq[i];
                            HttpConn.Response r = c.get("/who", n);
                            assertEquals(200, r.status());
                            // "<thread> <seq> <served count>": one request, one response, in order
                            String[] parts = r.body().split(" ");
                            assertEquals(n, Long.parseLong(parts[parts.length - 2]), c.id + " answered out of order");
                            assertEquals(n, Long.parseLong(parts[parts.length - 1]), c.id + " lost or duplicated a request");
                            threadsSeen.computeIfAbsent(c.id, k -> ConcurrentHashMap.newKeySet()).add(r.thread());
                            sent.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            // Flip the connections between the threads until every one has been served by both.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int flips = 0;
            while (System.nanoTime() < deadline && !allMovedBothWays(threadsSeen)) {
                server.transplant.markForMigration(null, Destination.threads(server.thread(flips % 2)));
                flips++;
                Thread.sleep(300);
                for (Future<?> f : work) {
                    if (f.isDone()) {
                        f.get(); // a client failed: report it
                    }
                }
            }
            stop.set(true);
            for (Future<?> f : work) {
                f.get(30, TimeUnit.SECONDS);
            }
            server.transplant.clearMarks();
            TransplantMetrics m = server.transplant.metrics();
            System.out.println("load: " + sent.get() + " requests, " + flips + " flips, " + m);
            assertTrue(allMovedBothWays(threadsSeen), "every connection was served by both threads");
            assertTrue(m.movedTotal() >= CONNECTIONS, "at least " + CONNECTIONS + " moves: " + m);
            assertEquals(0, m.lostTotal(), m.toString());
            long servedTotal = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                long s = server.served.get("L" + i).get();
                assertEquals(seq[i], s, "L" + i + ": requests sent = requests served");
                servedTotal += s;
            }
            assertEquals(sent.get(), servedTotal);
        } finally {
            stop.set(true);
            clients.shutdownNow();
            for (HttpConn c : conns) {
                c.close();
            }
        }
        TestServer.assertFdsBackTo(fds);
        TestServer.await("closed connections forgotten", () -> server.transplant.trackedConnections() == 0);
    }

    private static boolean allMovedBothWays(ConcurrentHashMap<String, Set<String>> seen) {
        if (seen.size() < CONNECTIONS) {
            return false;
        }
        for (Set<String> s : seen.values()) {
            if (new HashSet<>(s).size() < 2) {
                return false;
            }
        }
        return true;
    }
}
