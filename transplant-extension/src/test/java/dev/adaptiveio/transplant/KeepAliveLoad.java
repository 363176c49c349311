package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.function.ToLongFunction;

/**
 * Keep-alive connections {@code L0..Ln-1} driven by client threads until stopped, one request at a
 * time per connection, each carrying its sequence number. Each response goes through a check that
 * asserts it answers that request and names where it was served (a thread, an engine); the load
 * records those names per connection.
 */
final class KeepAliveLoad implements AutoCloseable {

    /** Asserts {@code response} answers request {@code seq} of {@code conn}; returns where it was served. */
    interface ResponseCheck {
        String check(HttpConn conn, long seq, HttpConn.Response response);
    }

    private final List<HttpConn> conns = new ArrayList<>();
    private final long[] seq;
    private final ConcurrentHashMap<String, Set<String>> seen = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService clients;
    private final List<Future<?>> work = new ArrayList<>();

    KeepAliveLoad(int port, int connections, int clientThreads, ResponseCheck check) throws Exception {
        seq = new long[connections];
        clients = Executors.newFixedThreadPool(clientThreads);
        for (int i = 0; i < connections; i++) {
            conns.add(new HttpConn(port, "L" + i));
        }
        for (int t = 0; t < clientThreads; t++) {
            int first = t;
            work.add(clients.submit(() -> {
                while (!stop.get()) {
                    for (int i = first; i < connections; i += clientThreads) {
                        HttpConn c = conns.get(i);
                        long n = ++seq[i];
                        String where = check.check(c, n, c.get("/who", n));
                        seen.computeIfAbsent(c.id, k -> ConcurrentHashMap.newKeySet()).add(where);
                        sent.incrementAndGet();
                    }
                }
                return null;
            }));
        }
    }

    /** Rethrows the failure of a client that stopped. */
    void checkClients() throws Exception {
        for (Future<?> f : work) {
            if (f.isDone()) {
                f.get();
            }
        }
    }

    /** Stops the clients after their current request; rethrows any client failure. */
    void stop() throws Exception {
        stop.set(true);
        for (Future<?> f : work) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    long sent() {
        return sent.get();
    }

    /** Whether every connection has been served in at least {@code places} different places, or in all of {@code required}. */
    boolean everyConnectionServedIn(Set<String> required, int places) {
        if (seen.size() < conns.size()) {
            return false;
        }
        for (Set<String> s : seen.values()) {
            Set<String> copy = new HashSet<>(s);
            if (copy.size() < places || !copy.containsAll(required)) {
                return false;
            }
        }
        return true;
    }

    /** Requests sent equal requests served, per connection and in all ({@code served} by connection id). */
    void assertSentEqualsServed(ToLongFunction<String> served) {
        long total = 0;
        for (int i = 0; i < conns.size(); i++) {
            long s = served.applyAsLong("L" + i);
            assertEquals(seq[i], s, "L" + i + ": requests sent = requests served");
            total += s;
        }
        assertEquals(sent.get(), total);
    }

    @Override
    public void close() {
        stop.set(true);
        clients.shutdownNow();
        for (HttpConn c : conns) {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // the test is over
            }
        }
    }
}
