package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.undertow.UndertowOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Moves racing with what else happens to an idle connection: the client closes it (FIN) or
 * resets it (RST), or the server's idle timeout closes it. Nothing is lost, survivors keep
 * answering, no fd is left behind.
 */
class RaceTest {

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void clientCloseAndResetRaceWithMoves() throws Exception {
        server = TestServer.epoll(2);
        server.transplant.setSweepInterval(10);
        int fds = TestServer.openFds();
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 5; round++) {
                List<HttpConn> conns = new ArrayList<>();
                for (int i = 0; i < 150; i++) {
                    HttpConn c = new HttpConn(server.port, "r" + round + "-" + i);
                    conns.add(c);
                    c.get("/who", 1);
                }
                // Close a third (FIN) and reset a third (RST) while the mark sweeps them all.
                Future<?> closing = closer.submit(() -> {
                    for (int i = 0; i < conns.size(); i++) {
                        try {
                            if (i % 3 == 0) {
                                conns.get(i).close();
                            } else if (i % 3 == 1) {
                                conns.get(i).reset();
                            }
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                    }
                    return null;
                });
                server.transplant.markForMigration(null, Destination.threads(server.thread(round % 2)));
                closing.get(10, TimeUnit.SECONDS);
                for (int i = 2; i < conns.size(); i += 3) {
                    HttpConn c = conns.get(i);
                    HttpConn.Response r = c.get("/who", 2);
                    assertEquals(200, r.status());
                    assertTrue(r.body().endsWith(" 2 2"), c.id + ": " + r.body());
                }
                // Survivors end up where the mark wants them.
                for (int i = 2; i < conns.size(); i += 3) {
                    HttpConn c = conns.get(i);
                    String wanted = server.thread(round % 2).getName();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    String at;
                    long seq = 3;
                    while (!(at = c.get("/who", seq++).thread()).equals(wanted) && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertEquals(wanted, at, c.id);
                }
                for (HttpConn c : conns) {
                    c.close();
                }
            }
            assertEquals(0, server.transplant.metrics().lostTotal(), server.transplant.toString());
            assertTrue(server.transplant.metrics().movedTotal() > 0);
            System.out.println("close/reset race: " + server.transplant);
        } finally {
            closer.shutdownNow();
        }
        TestServer.assertFdsBackTo(fds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"NO_REQUEST_TIMEOUT", "READ_TIMEOUT"})
    void idleTimeoutRacesWithMoves(String timeout) throws Exception {
        // Undertow's own timer between requests, or XNIO's read timeout (it travels with the
        // connection core). (UndertowOptions.IDLE_TIMEOUT does not close idle HTTP/1 connections
        // in Undertow 2.3.23 on any provider: its conduit is never given the timeout.)
        server = new TestServer("epoll", 2, true, b -> {
            if (timeout.equals("READ_TIMEOUT")) {
                b.setSocketOption(org.xnio.Options.READ_TIMEOUT, 1000);
            } else {
                b.setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 1000);
            }
        });
        server.transplant.setSweepInterval(10);
        int fds = TestServer.openFds();
        List<HttpConn> idle = new ArrayList<>();
        List<HttpConn> active = new ArrayList<>();
        AtomicBoolean flipping = new AtomicBoolean(true);
        ExecutorService flipper = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 50; i++) {
                HttpConn c = new HttpConn(server.port, "i" + i);
                c.get("/who", 1);
                idle.add(c);
            }
            // Few enough that each one's next request comes well within the timeout on a busy machine.
            for (int i = 0; i < 10; i++) {
                HttpConn a = new HttpConn(server.port, "a" + i);
                a.get("/who", 1);
                active.add(a);
            }
            Future<?> flips = flipper.submit(() -> {
                int n = 0;
                while (flipping.get()) {
                    server.transplant.markForMigration(null, Destination.threads(server.thread(n++ % 2)));
                    Thread.sleep(15);
                }
                server.transplant.clearMarks();
                return null;
            });
            // Active connections keep working while moves and timeouts race on the idle ones.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(800);
            long seq = 2;
            while (System.nanoTime() < until) {
                for (HttpConn a : active) {
                    HttpConn.Response r = a.get("/who", seq);
                    assertTrue(r.body().endsWith(" " + seq + " " + seq), a.id + ": " + r.body());
                }
                seq++;
            }
            flipping.set(false);
            flips.get(10, TimeUnit.SECONDS);
            // Once the moves stop, the idle connections time out on whichever thread holds them.
            for (HttpConn c : idle) {
                assertEquals(-1, c.readByte(), c.id + " closed by the server's idle timeout");
            }
            assertEquals(0, server.transplant.metrics().lostTotal(), server.transplant.toString());
            assertTrue(server.transplant.metrics().movedTotal() > 0);
            System.out.println("timeout race (" + timeout + "): " + server.transplant);
        } finally {
            flipping.set(false);
            flipper.shutdownNow();
            for (HttpConn c : idle) {
                c.close();
            }
            for (HttpConn c : active) {
                c.close();
            }
        }
        TestServer.assertFdsBackTo(fds);
    }
}
