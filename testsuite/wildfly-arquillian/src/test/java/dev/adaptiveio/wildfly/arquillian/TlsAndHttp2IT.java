package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The stock https-listener on our epoll worker; HTTP/2 over ALPN (TLS) and h2c (upgrade) on both engines. */
@Order(2)
class TlsAndHttp2IT extends SharedServerTest {

    @Test
    void httpsListenerRunsOnOurWorker() {
        assertEquals("native", management.readAttribute("worker",
                "subsystem=undertow", "server=default-server", "https-listener=https").asString());
        HttpClient client = Http2Clients.create(HttpClient.Version.HTTP_1_1);
        HttpResponse<byte[]> response = Http2Clients.get(client, "https://127.0.0.1:" + HTTPS_EPOLL + TestApp.CONTEXT + "/plaintext");
        assertEquals(200, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals("Hello, World!", new String(response.body(), StandardCharsets.US_ASCII));
        assertHeaders(response, "HTTP/1.1", true, "epoll", "native");
        // The client keeps its TLS connection open: the worker counts it on the https listener.
        ModelNode metrics = management.readRuntime(worker("native"));
        assertTrue(metrics.get("listener-connections", "127.0.0.1:" + HTTPS_EPOLL).asLong(0) >= 1, metrics::toString);
    }

    @Test
    void http2OverAlpnOnTheEpollWorker() {
        HttpClient client = Http2Clients.create(HttpClient.Version.HTTP_2);
        String base = "https://127.0.0.1:" + HTTPS_EPOLL + TestApp.CONTEXT;
        HttpResponse<byte[]> plain = Http2Clients.get(client, base + "/plaintext");
        assertEquals(200, plain.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, plain.version(), "ALPN negotiated h2");
        assertHeaders(plain, "HTTP/2.0", true, "epoll", "native");
        echoAndAsync(client, base, "epoll", "native", true);
    }

    @Test
    void h2cOnTheEpollWorker() {
        h2c(HTTP_EPOLL, "epoll", "native");
    }

    @Test
    void h2cOnTheIoUringWorker() {
        h2c(HTTP_URING, "io_uring", "uring");
    }

    private static void h2c(int port, String engine, String workerName) {
        HttpClient client = Http2Clients.create(HttpClient.Version.HTTP_2);
        String base = "http://127.0.0.1:" + port + TestApp.CONTEXT;
        // The JDK client upgrades (Upgrade: h2c) on the first request without a body, then reuses the connection.
        HttpResponse<byte[]> plain = Http2Clients.get(client, base + "/plaintext");
        assertEquals(200, plain.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, plain.version(), "h2c upgrade accepted");
        assertHeaders(plain, "HTTP/2.0", false, engine, workerName);
        echoAndAsync(client, base, engine, workerName, false);
    }

    private static void echoAndAsync(HttpClient client, String base, String engine, String workerName, boolean secure) {
        byte[] payload = new byte[100_000];
        ThreadLocalRandom.current().nextBytes(payload);
        HttpResponse<byte[]> echo = Http2Clients.post(client, base + "/echo", payload);
        assertEquals(200, echo.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, echo.version());
        assertArrayEquals(payload, echo.body());
        assertHeaders(echo, "HTTP/2.0", secure, engine, workerName);
        HttpResponse<byte[]> async = Http2Clients.get(client, base + "/async");
        assertEquals(200, async.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, async.version());
        assertHeaders(async, "HTTP/2.0", secure, engine, workerName);
    }

    private static void assertHeaders(HttpResponse<byte[]> response, String protocol, boolean secure, String engine, String workerName) {
        String seen = response.headers().map().toString();
        assertEquals(protocol, response.headers().firstValue("X-Protocol").orElse(null), seen);
        assertEquals(String.valueOf(secure), response.headers().firstValue("X-Secure").orElse(null), seen);
        assertEquals(engine, response.headers().firstValue("X-IO-Engine").orElse(null), seen);
        assertEquals(workerName, response.headers().firstValue("X-IO-Worker").orElse(null), seen);
    }
}
