package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/**
 * Requests served on each engine, asserted twice: by the serving I/O thread (response headers) and by the
 * subsystem's metrics of the worker that owns the listener.
 */
@Order(1)
class EnginesIT extends SharedServerTest {

    @Test
    void epollWorkerServesPlaintextEchoAndAsync() {
        servesOn(HTTP_EPOLL, "native", "epoll", "dev.adaptiveio.epoll.EpollIoThread", 2);
    }

    @Test
    void ioUringWorkerServesPlaintextEchoAndAsync() {
        servesOn(HTTP_URING, "uring", "io_uring", "dev.adaptiveio.uring.UringIoThread", 1);
    }

    private static void servesOn(int port, String workerName, String engine, String threadClass, int ioThreads) {
        ModelNode before = management.readRuntime(worker(workerName));
        assertEquals(engine, before.get("engine").asString());
        assertEquals(engine, before.get("running-engine").asString(), "the engine that really runs");
        assertEquals(ioThreads, before.get("io-thread-count").asInt());
        String listener = HttpConnection.HOST + ":" + port;
        long connectionsBefore = before.get("listener-connections", listener).asLong(0);

        try (HttpConnection connection = HttpConnection.open(port)) {
            Response plain = connection.get(TestApp.CONTEXT + "/plaintext");
            assertEquals(200, plain.status(), plain::toString);
            assertEquals("Hello, World!", plain.text());
            assertServedBy(plain, engine, threadClass, workerName);

            byte[] payload = new byte[256 * 1024];
            ThreadLocalRandom.current().nextBytes(payload);
            Response echo = connection.post(TestApp.CONTEXT + "/echo", payload);
            assertEquals(200, echo.status(), echo::toString);
            assertArrayEquals(payload, echo.body(), "echoed body");
            assertServedBy(echo, engine, threadClass, workerName);
            assertNotEquals(plain.header("X-IO-Thread"), echo.header("X-Handled-On"), "blocking echo runs on a task thread");

            Response async = connection.get(TestApp.CONTEXT + "/async");
            assertEquals(200, async.status(), async::toString);
            assertTrue(async.text().startsWith("async "), async::toString);
            assertServedBy(async, engine, threadClass, workerName);
            assertEquals(plain.header("X-IO-Thread"), async.header("X-IO-Thread"), "one connection, one I/O thread");

            // The held-open connection shows in the worker's metrics, on its listener.
            Await.until(Duration.ofSeconds(10),
                    () -> management.readRuntime(worker(workerName)).get("listener-connections", listener).asLong(0) >= connectionsBefore + 1,
                    () -> management.readRuntime(worker(workerName)).toString());
            ModelNode during = management.readRuntime(worker(workerName));
            assertTrue(during.get("connection-count").asInt() >= 1, during::toString);
        }
        Await.until(Duration.ofSeconds(10),
                () -> management.readRuntime(worker(workerName)).get("listener-connections", listener).asLong(0) <= connectionsBefore,
                () -> "connection closed by the client still counted: " + management.readRuntime(worker(workerName)));
    }

    static void assertServedBy(Response response, String engine, String threadClass, String workerName) {
        assertEquals(engine, response.engine(), response::toString);
        assertEquals(threadClass, response.header("X-IO-Thread-Class"), response::toString);
        assertEquals(workerName, response.header("X-IO-Worker"), response::toString);
    }

    /**
     * An adaptive worker added at run time with a listener of its own: starts on epoll (start=epoll), and a
     * forced switch sends new connections to io_uring while an established one stays where it was accepted.
     */
    @Test
    @EnabledIf(value = "dev.adaptiveio.wildfly.arquillian.Installed#adaptiveEngineShipped",
            disabledReason = "the installed dev.adaptiveio.xnio module has no 'adaptive' XNIO provider: the wildfly-subsystem distribution does not ship adaptive-selector yet")
    void adaptiveWorkerServesOnBothEnginesAcrossAForcedSwitch() {
        int port = 8280 + Ports.SHARED;
        ModelNode add = op("add", worker("adaptive"));
        add.get("engine").set("adaptive");
        add.get("io-threads").set(1);
        add.get("start").set("epoll");
        management.ok(add);
        ModelNode binding = op("add", "socket-binding-group=standard-sockets", "socket-binding=http-adaptive");
        binding.get("port").set(8280);
        management.ok(binding);
        ModelNode listenerAdd = op("add", httpListener("adaptive"));
        listenerAdd.get("socket-binding").set("http-adaptive");
        listenerAdd.get("worker").set("adaptive");
        management.ok(listenerAdd);
        try {
            assertEquals("adaptive", management.readAttribute("running-engine", worker("adaptive")).asString());
            try (HttpConnection early = HttpConnection.open(port)) {
                Response first = early.get(TestApp.CONTEXT + "/plaintext");
                assertEquals(200, first.status(), first::toString);
                assertEquals("epoll", first.engine(), first::toString);
                ModelNode metrics = management.readRuntime(worker("adaptive"));
                assertEquals("epoll", metrics.get("active-engine").asString(), metrics::toString);
                assertTrue(metrics.get("epoll-accepts").asLong() >= 1, metrics::toString);

                ModelNode force = op("force-switch", worker("adaptive"));
                force.get("to").set("io_uring");
                ModelNode reached = management.ok(force);
                assertEquals(HttpConnection.HOST + ":" + port, reached.get(0).asString(), reached::toString);

                Response fresh = HttpConnection.once(port, TestApp.CONTEXT + "/plaintext");
                assertEquals("io_uring", fresh.engine(), fresh::toString);
                Response established = early.get(TestApp.CONTEXT + "/plaintext");
                assertEquals("epoll", established.engine(), "transplant is off: an established connection stays on its engine");
                metrics = management.readRuntime(worker("adaptive"));
                assertEquals("io_uring", metrics.get("active-engine").asString(), metrics::toString);
                assertTrue(metrics.get("io-uring-accepts").asLong() >= 1, metrics::toString);
                assertTrue(metrics.get("switches").asLong() >= 1, metrics::toString);

                // Operator may run the runtime operations (RBAC is on): freeze and unfreeze for real.
                ModelNode reachedByFreeze = management.ok(Management.asRole(op("freeze", worker("adaptive")), "Operator"));
                assertEquals(HttpConnection.HOST + ":" + port, reachedByFreeze.get(0).asString(), reachedByFreeze::toString);
                assertTrue(management.readAttribute("frozen", worker("adaptive")).asBoolean(), "frozen after freeze");
                management.ok(Management.asRole(op("unfreeze", worker("adaptive")), "Operator"));
                assertFalse(management.readAttribute("frozen", worker("adaptive")).asBoolean(), "unfrozen after unfreeze");
            }
        } finally {
            management.execute(op("remove", httpListener("adaptive")));
            management.execute(op("remove", "socket-binding-group=standard-sockets", "socket-binding=http-adaptive"));
            if (!"running".equals(management.serverState())) {
                management.reload();
            }
            management.ok(op("remove", worker("adaptive")));
        }
    }
}
