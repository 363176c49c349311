package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.asRole;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Metrics and runtime operations through the management API, under role-based access control (on in the
 * test configuration). Roles are exercised with RBAC's run-as-role header ({@code roles}), which the local
 * SuperUser may use: exactly what a user mapped to that role would get.
 */
@Order(3)
class ManagementAccessIT extends SharedServerTest {

    private static final List<String> METRICS = List.of("running-engine", "io-thread-count", "busy-task-thread-count",
            "core-pool-size", "max-pool-size", "queue-size", "connection-count");
    private static final List<String> ADAPTIVE_METRICS = List.of("active-engine", "epoll-connections", "io-uring-connections",
            "switches", "transplants", "io-uring-tier", "frozen");

    @Test
    void rbacIsOn() {
        assertEquals("rbac", management.readAttribute("provider", "core-service=management", "access=authorization").asString());
    }

    @Test
    void metricsAreReadable() {
        for (String name : List.of("native", "uring")) {
            ModelNode metrics = management.readRuntime(worker(name));
            for (String metric : METRICS) {
                assertTrue(metrics.get(metric).isDefined(), () -> name + " lacks " + metric + ": " + metrics);
            }
            for (String metric : ADAPTIVE_METRICS) {
                assertFalse(metrics.get(metric).isDefined(), () -> "adaptive metric " + metric + " on a non-adaptive worker: " + metrics);
            }
        }
        ModelNode nativeWorker = management.readRuntime(worker("native"));
        assertEquals(2, nativeWorker.get("io-thread-count").asInt());
        assertEquals(2, nativeWorker.get("core-pool-size").asInt());
        assertEquals(32, nativeWorker.get("max-pool-size").asInt());
        // Runtime attributes are flagged as metrics in the model description.
        ModelNode description = management.ok(op("read-resource-description", worker("native")));
        assertEquals("metric", description.get("attributes", "running-engine", "access-type").asString(), description::toString);
        assertEquals("runtime", description.get("attributes", "running-engine", "storage").asString());
    }

    @Test
    void runtimeOperationsAreRegistered() {
        ModelNode names = management.ok(op("read-operation-names", worker("native")));
        List<String> operations = names.asList().stream().map(ModelNode::asString).toList();
        assertTrue(operations.containsAll(List.of("force-switch", "freeze", "unfreeze")), operations::toString);
        ModelNode forceSwitch = management.ok(describe("force-switch"));
        assertTrue(forceSwitch.get("request-properties", "to", "required").asBoolean(), forceSwitch::toString);
    }

    private static ModelNode describe(String operation) {
        ModelNode op = op("read-operation-description", worker("native"));
        op.get("name").set(operation);
        return op;
    }

    @Test
    void monitorReadsMetricsButMayNotWrite() {
        ModelNode read = op("read-resource", worker("native"));
        read.get("include-runtime").set(true);
        ModelNode metrics = management.ok(asRole(read, "Monitor"));
        assertEquals("epoll", metrics.get("running-engine").asString(), metrics::toString);
        assertEquals(2, management.ok(asRole(attribute("io-thread-count"), "Monitor")).asInt());
        assertUnauthorized(management.fails(asRole(write("native", "io-threads", 3), "Monitor")));
        assertUnauthorized(management.fails(asRole(op("remove", worker("native")), "Monitor")));
    }

    /**
     * WildFly checks WRITE_RUNTIME lazily, when a handler asks for the service registry in write mode (or calls
     * {@code OperationContext.authorize}); the subsystem's runtime operations reach the worker through a captured
     * value and never ask, so a Monitor gets through to the operation (seen here as ADIOWF0012 instead of
     * WFLYCTL0313).
     */
    @Test
    void monitorMayNotRunRuntimeOperations() {
        assertUnauthorized(management.fails(asRole(forceSwitch("native", "io_uring"), "Monitor")));
        assertUnauthorized(management.fails(asRole(op("freeze", worker("native")), "Monitor")));
        assertUnauthorized(management.fails(asRole(op("unfreeze", worker("native")), "Monitor")));
    }

    private static ModelNode attribute(String name) {
        ModelNode op = op("read-attribute", worker("native"));
        op.get("name").set(name);
        return op;
    }

    @Test
    void operatorRunsOperationsButMayNotChangeConfiguration() {
        // Operator passes the access check and reaches the operation itself, which refuses a non-adaptive worker.
        String failure = management.fails(asRole(forceSwitch("native", "io_uring"), "Operator"));
        assertTrue(failure.contains("ADIOWF0012") && failure.contains("'native'") && failure.contains("'epoll'"), failure);
        failure = management.fails(asRole(op("freeze", worker("uring")), "Operator"));
        assertTrue(failure.contains("ADIOWF0012") && failure.contains("'io_uring'"), failure);
        assertUnauthorized(management.fails(asRole(write("native", "io-threads", 3), "Operator")));
        assertUnauthorized(management.fails(asRole(op("remove", worker("native")), "Operator")));
        // Maintainer may change the configuration (checked with an invalid value, so nothing changes).
        failure = management.fails(asRole(write("native", "engine", "nio"), "Maintainer"));
        assertTrue(failure.contains("WFLYCTL0129"), failure);
    }

    @Test
    void forceSwitchNeedsAnAdaptiveWorker() {
        String failure = management.fails(forceSwitch("native", "io_uring"));
        assertTrue(failure.contains("ADIOWF0012: Operation 'force-switch' needs a worker with engine=adaptive, but worker 'native' runs engine 'epoll'"), failure);
        failure = management.fails(forceSwitch("native", "nio"));
        assertTrue(failure.contains("WFLYCTL0129: Invalid value nio for to"), failure);
    }

    static ModelNode forceSwitch(String workerName, String to) {
        ModelNode op = op("force-switch", worker(workerName));
        op.get("to").set(to);
        return op;
    }

    private static ModelNode write(String workerName, String attribute, Object value) {
        ModelNode op = op("write-attribute", worker(workerName));
        op.get("name").set(attribute);
        op.get("value").set(String.valueOf(value));
        return op;
    }

    private static void assertUnauthorized(String failure) {
        assertTrue(failure.contains("WFLYCTL0313") || failure.contains("WFLYCTL0332"), "expected an authorization failure: " + failure);
    }
}
