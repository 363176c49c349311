package dev.adaptiveio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;

import io.undertow.Version;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo as a user starts it, on each of our providers, against whichever Undertow the build put on the class path
 * (2.3 by default, 2.4 with {@code -Pundertow-2.4}): a request on the I/O thread, a streamed echo on a worker thread, and
 * for the adaptive provider a forced switch that the next connection follows.
 */
class DemoServerSmokeTest {

    @BeforeAll
    static void runsOnTheUndertowTheBuildChose() {
        // Set by the surefire configuration from the undertow-core version this build resolves: a profile that failed to
        // switch the version must not pass as a 2.4 run.
        String expected = System.getProperty("adaptiveio.expected.undertow");
        assertTrue(expected != null && !expected.isEmpty(), "surefire must pass adaptiveio.expected.undertow");
        assertEquals(expected, Version.getVersionString(), "Undertow on the test class path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void servesOnTheNamedEngine(String provider) throws Exception {
        DemoServer server = new DemoServer(provider, "127.0.0.1", 0, 1);
        server.start();
        try {
            assertEquals(provider, server.worker().getXnio().getName());
            HttpClient client = client();
            HttpResponse<String> plain = client.send(get(server, "/plaintext"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, plain.statusCode());
            assertEquals("Hello, World!", plain.body());
            assertEquals(provider, plain.headers().firstValue("X-IO-Engine").orElse(null));

            byte[] body = new byte[256 * 1024];
            new Random(15).nextBytes(body);
            HttpResponse<byte[]> echo = client.send(HttpRequest.newBuilder(uri(server, "/echo"))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, echo.statusCode());
            assertEquals(provider, echo.headers().firstValue("X-IO-Engine").orElse(null));
            assertArrayEquals(body, echo.body());
        } finally {
            server.stop();
        }
    }

    @Test
    void adaptiveSwitchMovesNewConnections() throws Exception {
        DemoServer server = new DemoServer("adaptive", "127.0.0.1", 0, 1);
        server.start();
        try {
            assertEquals("adaptive", server.worker().getXnio().getName());
            for (String engine : new String[] {"io_uring", "epoll"}) {
                HttpResponse<String> switched = client().send(HttpRequest.newBuilder(uri(server, "/adaptive/switch?to=" + engine))
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, switched.statusCode(), switched.body());
                // A new client is a new connection: it is accepted by the engine the listener now runs on.
                HttpResponse<String> plain = client().send(get(server, "/plaintext"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, plain.statusCode());
                assertEquals(engine, plain.headers().firstValue("X-IO-Engine").orElse(null));
            }
        } finally {
            server.stop();
        }
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpRequest get(DemoServer server, String path) {
        return HttpRequest.newBuilder(uri(server, path)).timeout(Duration.ofSeconds(30)).GET().build();
    }

    private static URI uri(DemoServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}
