package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/**
 * An adaptive worker with transplant on, under keep-alive load, switched to io_uring by force-switch: the
 * established HTTP/1 connections move to io_uring (the next responses on the same sockets come from io_uring
 * threads), no request fails, and an HTTP/2 (h2c) and a TLS connection on the same worker stay where they are.
 * The request hook is the {@code adaptive-io-transplant} custom-filter that the distribution's install.sh puts on
 * default-host; the extension comes with module {@code dev.adaptiveio.transplant}. Proof both ways: the engine
 * that answered each request on the same sockets, and the worker's {@code transplants}/{@code transplants-by-reason}.
 */
@Order(6)
class AdaptiveTransplantIT extends SharedServerTest {

    private static final int HTTP = 8380 + Ports.SHARED;
    private static final int HTTPS = 8743 + Ports.SHARED;
    private static final int CONNECTIONS = 16;

    @Test
    void idleConnectionsMoveToIoUringUnderLoadWithoutAFailedRequest() throws Exception {
        ModelNode add = op("add", worker("moving"));
        add.get("engine").set("adaptive");
        add.get("io-threads").set(1);
        add.get("start").set("epoll");
        add.get("transplant").set(true);
        add.get("cooldown").set(0L);
        management.ok(add);
        addBinding("http-moving", 8380);
        addBinding("https-moving", 8743);
        ModelNode http = op("add", httpListener("moving"));
        http.get("socket-binding").set("http-moving");
        http.get("worker").set("moving");
        http.get("enable-http2").set(true);
        management.ok(http);
        ModelNode https = op("add", "subsystem=undertow", "server=default-server", "https-listener=moving-tls");
        https.get("socket-binding").set("https-moving");
        https.get("ssl-context").set("applicationSSC");
        https.get("worker").set("moving");
        https.get("enable-http2").set(true);
        management.ok(https);
        if (management.serverState().equals("reload-required")) {
            management.reload();
        }

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong requests = new AtomicLong();
        List<Throwable> failures = new ArrayList<>();
        Set<String> h2Threads = ConcurrentHashMap.newKeySet();
        Set<String> tlsThreads = ConcurrentHashMap.newKeySet();
        List<List<String>> enginesPerConnection = new ArrayList<>();
        ExecutorService load = Executors.newFixedThreadPool(CONNECTIONS + 2);
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                List<String> engines = new ArrayList<>();
                enginesPerConnection.add(engines);
                tasks.add(load.submit(() -> {
                    try (HttpConnection connection = HttpConnection.open(HTTP)) {
                        while (running.get()) {
                            Response response = connection.get(TestApp.CONTEXT + "/plaintext");
                            assertEquals(200, response.status(), response::toString);
                            synchronized (engines) {
                                if (engines.isEmpty() || !engines.get(engines.size() - 1).equals(response.engine())) {
                                    engines.add(response.engine());
                                }
                            }
                            requests.incrementAndGet();
                            Thread.sleep(20);
                        }
                    }
                    return null;
                }));
            }
            tasks.add(load.submit(() -> loop(running, requests, Http2Clients.create(HttpClient.Version.HTTP_2),
                    "http://127.0.0.1:" + HTTP + TestApp.CONTEXT + "/plaintext", HttpClient.Version.HTTP_2, h2Threads)));
            tasks.add(load.submit(() -> loop(running, requests, Http2Clients.create(HttpClient.Version.HTTP_1_1),
                    "https://127.0.0.1:" + HTTPS + TestApp.CONTEXT + "/plaintext", HttpClient.Version.HTTP_1_1, tlsThreads)));

            Await.until(Duration.ofSeconds(20), () -> requests.get() >= CONNECTIONS * 5L, () -> requests + " requests");
            // Frozen first: with 16 slow connections on one I/O thread the controller would soon switch back
            // (LOW_LOAD), and this test is about the forced switch (a revert moves the connections back, see
            // docs/transplant.md).
            management.ok(op("freeze", worker("moving")));
            ModelNode force = op("force-switch", worker("moving"));
            force.get("to").set("io_uring");
            management.ok(force);
            Await.until(Duration.ofSeconds(30), () -> {
                synchronized (enginesPerConnection) {
                    return enginesPerConnection.stream().allMatch(e -> {
                        synchronized (e) {
                            return e.contains("io_uring");
                        }
                    });
                }
            }, enginesPerConnection::toString);
            running.set(false);
            for (Future<?> task : tasks) {
                try {
                    task.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
        } finally {
            running.set(false);
            load.shutdownNow();
        }
        assertTrue(failures.isEmpty(), () -> "failed requests: " + failures);
        for (List<String> engines : enginesPerConnection) {
            assertEquals(List.of("epoll", "io_uring"), engines, "each connection moved once, from epoll to io_uring");
        }
        assertEquals(1, h2Threads.size(), () -> "HTTP/2 connection never moves: " + h2Threads);
        assertEquals(1, tlsThreads.size(), () -> "TLS connection never moves: " + tlsThreads);
        ModelNode metrics = management.readRuntime(worker("moving"));
        System.out.println("AdaptiveTransplantIT: " + requests + " requests, engines per connection " + enginesPerConnection
                + ", metrics " + metrics.get("transplants") + " " + metrics.get("transplants-by-reason").asString());
        assertTrue(metrics.get("transplants").asLong() >= CONNECTIONS, metrics::toString);
        ModelNode byReason = metrics.get("transplants-by-reason");
        assertTrue(byReason.get("moved epoll->io_uring").asLong(0) >= CONNECTIONS, metrics::toString);
        // The h2c and TLS connections were wanted on io_uring too (their listeners switched) and refused.
        assertTrue(byReason.get("refused http2").asLong(0) >= 1, metrics::toString);
        assertTrue(byReason.get("refused tls").asLong(0) >= 1, metrics::toString);
        assertTrue(byReason.keys().stream().noneMatch(k -> k.startsWith("lost")), () -> "no connection lost: " + metrics);
        assertEquals("io_uring", metrics.get("active-engine").asString(), metrics::toString);

        management.ok(op("remove", "subsystem=undertow", "server=default-server", "https-listener=moving-tls"));
        management.ok(op("remove", httpListener("moving")));
        management.ok(op("remove", "socket-binding-group=standard-sockets", "socket-binding=http-moving"));
        management.ok(op("remove", "socket-binding-group=standard-sockets", "socket-binding=https-moving"));
        management.ok(op("remove", worker("moving")));
        management.reload();
    }

    private static Void loop(AtomicBoolean running, AtomicLong requests, HttpClient client, String url,
            HttpClient.Version version, Set<String> ioThreads) throws InterruptedException {
        while (running.get()) {
            HttpResponse<byte[]> response = Http2Clients.get(client, url);
            assertEquals(200, response.statusCode());
            assertEquals(version, response.version());
            ioThreads.add(response.headers().firstValue("X-IO-Thread").orElseThrow());
            requests.incrementAndGet();
            Thread.sleep(20);
        }
        return null;
    }

    private static void addBinding(String name, int port) {
        ModelNode binding = op("add", "socket-binding-group=standard-sockets", "socket-binding=" + name);
        binding.get("port").set(port);
        management.ok(binding);
    }
}
