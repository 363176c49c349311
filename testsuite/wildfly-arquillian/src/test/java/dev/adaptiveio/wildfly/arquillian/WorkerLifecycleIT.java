package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/** Workers added and removed on the running server; a worker in use cannot be removed; invalid workers are refused. */
@Order(4)
class WorkerLifecycleIT extends SharedServerTest {

    /**
     * Adding starts the worker at once. Removing follows WildFly's convention: the worker runs until a reload, or
     * stops at once when the operation carries {@code allow-resource-service-restart=true}.
     */
    @Test
    void addedWorkersStartAtOnceAndStopOnRemovalWithServiceRestartAllowed() {
        for (String engine : new String[] { "epoll", "io_uring", "adaptive" }) {
            if (engine.equals("adaptive") && !Installed.adaptiveEngineShipped()) {
                continue;
            }
            String name = "spare-" + engine.replace('_', '-');
            addAndCheckRunning(name, engine);

            ModelNode remove = op("remove", worker(name));
            remove.get("operation-headers", "allow-resource-service-restart").set(true);
            ModelNode removed = management.execute(remove);
            assertEquals("success", removed.get("outcome").asString(), removed::toString);
            assertFalse(removed.get("response-headers", "operation-requires-reload").asBoolean(false), () -> "stopped at once: " + removed);
            assertTrue(management.fails(op("read-resource", worker(name))).contains("WFLYCTL0216"), "resource gone");
            Await.until(Duration.ofSeconds(10),
                    () -> ServerLog.shared().entriesContaining("ADIOWF0003: Worker '" + name + "' stopped").size() == 1,
                    () -> "no ADIOWF0003 for " + name);
        }
        assertEquals("running", management.serverState());
    }

    @Test
    void removalWithoutTheHeaderTakesEffectOnReload() {
        String name = "spare-until-reload";
        addAndCheckRunning(name, "epoll");
        ModelNode removed = management.execute(op("remove", worker(name)));
        assertEquals("success", removed.get("outcome").asString(), removed::toString);
        assertTrue(removed.get("response-headers", "operation-requires-reload").asBoolean(false), removed::toString);
        assertTrue(management.fails(op("read-resource", worker(name))).contains("WFLYCTL0216"), "gone from the model");
        assertEquals(0, ServerLog.shared().entriesContaining("ADIOWF0003: Worker '" + name + "' stopped").size(), "runs until the reload");
        management.reload();
        assertEquals(1, ServerLog.shared().entriesContaining("ADIOWF0003: Worker '" + name + "' stopped").size(), "stopped by the reload");
        assertEquals(1, ServerLog.shared().entriesContaining("ADIOWF0002: Worker '" + name + "' started").size(), "not started again");
        assertEquals("running", management.serverState());
    }

    private static void addAndCheckRunning(String name, String engine) {
        ModelNode add = op("add", worker(name));
        add.get("engine").set(engine);
        add.get("io-threads").set(1);
        ModelNode response = management.execute(add);
        assertEquals("success", response.get("outcome").asString(), response::toString);
        assertFalse(response.get("response-headers", "operation-requires-reload").asBoolean(false), () -> "add needs no reload: " + response);
        ModelNode metrics = management.readRuntime(worker(name));
        assertEquals(engine, metrics.get("running-engine").asString(), metrics::toString);
        assertEquals(1, metrics.get("io-thread-count").asInt());
        assertEquals(0, metrics.get("connection-count").asInt());
        assertEquals(1, ServerLog.shared().entriesContaining("ADIOWF0002: Worker '" + name + "' started on engine '" + engine + "'").size());
    }

    @Test
    void removingAWorkerInUseIsRefused() {
        String failure = management.fails(op("remove", worker("uring")));
        assertTrue(failure.contains("WFLYCTL0367"), failure);
        assertTrue(failure.contains("org.wildfly.io.worker.uring"), failure);
        // Nothing changed: still running and serving.
        assertEquals("io_uring", management.readAttribute("running-engine", worker("uring")).asString());
        Response response = HttpConnection.once(HTTP_URING, TestApp.CONTEXT + "/plaintext");
        assertEquals(200, response.status());
        assertEquals("io_uring", response.engine());
    }

    @Test
    void invalidWorkersAreRefusedWithTheReason() {
        refused(add("bad", "engine", "nio"), "WFLYCTL0129: Invalid value nio for engine");
        refused(add("bad", "engine", "adaptive", "up-threshold", 20, "down-threshold", 20), "ADIOWF0009");
        refused(add("bad", "engine", "epoll", "transplant", true), "ADIOWF0011");
        refused(add("bad", "task-core-threads", 10, "task-max-threads", 4), "ADIOWF0008");
        refused(add("bad", "engine", "adaptive", "error-revert-rate", 1.5), "ADIOWF0016");
        // The io subsystem's worker name: both register org.wildfly.io.worker.default.
        refused(add("default", "engine", "epoll"), "WFLYCTL0436");
        assertTrue(management.fails(op("read-resource", worker("bad"))).contains("WFLYCTL0216"), "nothing was added");
    }

    private static ModelNode add(String name, Object... attributes) {
        ModelNode add = op("add", worker(name));
        for (int i = 0; i < attributes.length; i += 2) {
            Object value = attributes[i + 1];
            if (value instanceof Integer n) {
                add.get((String) attributes[i]).set(n);
            } else if (value instanceof Boolean b) {
                add.get((String) attributes[i]).set(b);
            } else if (value instanceof Double d) {
                add.get((String) attributes[i]).set(d);
            } else {
                add.get((String) attributes[i]).set(String.valueOf(value));
            }
        }
        return add;
    }

    private static void refused(ModelNode add, String messageId) {
        String failure = management.fails(add);
        assertTrue(failure.contains(messageId), () -> "expected " + messageId + " for " + add + ": " + failure);
    }
}
