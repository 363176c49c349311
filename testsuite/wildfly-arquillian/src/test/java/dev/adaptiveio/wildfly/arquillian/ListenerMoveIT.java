package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/** A listener moved from the io_uring worker to the epoll worker and back, each time through a reload. */
@Order(5)
class ListenerMoveIT extends SharedServerTest {

    private static final String LISTENER_ON = "<http-listener name=\"uring\"[^>]*worker=\"%s\"";

    @Test
    void listenerMovesBetweenWorkersOnReloadAndTheChangePersists() {
        String key = HttpConnection.HOST + ":" + HTTP_URING;
        try {
            assertServed("io_uring", "uring");

            management.writeAttribute("worker", "native", httpListener("uring"));
            assertEquals("reload-required", management.readAttribute("server-state").asString());
            assertTrue(Pattern.compile(String.format(LISTENER_ON, "native")).matcher(Installed.serverConfig("standalone")).find(),
                    "standalone.xml has the listener on worker native");

            management.reload();
            assertEquals("native", management.readAttribute("worker", httpListener("uring")).asString(), "persisted across reload");
            try (HttpConnection held = HttpConnection.open(HTTP_URING)) {
                Response response = held.get(TestApp.CONTEXT + "/plaintext");
                EnginesIT.assertServedBy(response, "epoll", "dev.adaptiveio.epoll.EpollIoThread", "native");
                ModelNode nativeWorker = management.readRuntime(worker("native"));
                assertTrue(nativeWorker.get("listener-connections", key).asLong(0) >= 1, nativeWorker::toString);
                ModelNode uringWorker = management.readRuntime(worker("uring"));
                assertFalse(uringWorker.get("listener-connections").isDefined() && uringWorker.get("listener-connections").has(key),
                        uringWorker::toString);
                assertEquals("io_uring", uringWorker.get("running-engine").asString(), "the worker runs on without listeners");
            }
        } finally {
            management.writeAttribute("worker", "uring", httpListener("uring"));
            management.reload();
        }
        assertServed("io_uring", "uring");
        assertTrue(Pattern.compile(String.format(LISTENER_ON, "uring")).matcher(Installed.serverConfig("standalone")).find());
    }

    private static void assertServed(String engine, String workerName) {
        Response response = HttpConnection.once(HTTP_URING, TestApp.CONTEXT + "/plaintext");
        assertEquals(200, response.status(), response::toString);
        assertEquals(engine, response.engine(), response::toString);
        assertEquals(workerName, response.header("X-IO-Worker"), response::toString);
    }
}
