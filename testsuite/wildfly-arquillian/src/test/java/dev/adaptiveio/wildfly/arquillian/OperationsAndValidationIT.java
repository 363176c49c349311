package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/**
 * What the docs promise about adaptive workers, on the real server: runtime operations on a worker without a
 * listener fail (ADIOWF0014) instead of answering success; an undefined attribute leaves the provider's system
 * property in charge while a defined one wins; adaptive-only attributes are neither used nor checked on other
 * engines; a default is never cited as if the user had set it; every provider knob is an attribute with the
 * provider's default.
 */
@Order(4)
class OperationsAndValidationIT extends SharedServerTest {

    private static final int PORT_A = 8281;
    private static final int PORT_B = 8282;

    @Test
    void operationsOnAWorkerWithoutListenerFailAndWorkOnceAListenerUsesIt() {
        addAdaptiveWorker("lonely", null);
        try {
            ModelNode force = op("force-switch", worker("lonely"));
            force.get("to").set("epoll");
            for (ModelNode operation : List.of(force, op("freeze", worker("lonely")), op("unfreeze", worker("lonely")))) {
                String failure = management.fails(operation);
                assertTrue(failure.contains("ADIOWF0014") && failure.contains("'lonely'"), failure);
            }
            assertFalse(management.readAttribute("frozen", worker("lonely")).asBoolean(false), "nothing was frozen");

            withListener("lonely", "lonely-http", PORT_A, () -> {
                ModelNode frozen = management.ok(op("freeze", worker("lonely")));
                assertEquals(List.of(new ModelNode(HttpConnection.HOST + ":" + (PORT_A + Ports.SHARED))), frozen.asList(), frozen::toString);
                assertTrue(management.readAttribute("frozen", worker("lonely")).asBoolean());
                management.ok(op("unfreeze", worker("lonely")));
                assertFalse(management.readAttribute("frozen", worker("lonely")).asBoolean());
            });
        } finally {
            removeWorker("lonely");
        }
    }

    @Test
    void anUndefinedAttributeLeavesTheSystemPropertyInChargeADefinedOneWins() {
        ModelNode property = op("add", "system-property=adaptiveio.start");
        property.get("value").set("io_uring");
        management.ok(property);
        try {
            addAdaptiveWorker("by-property", null);
            addAdaptiveWorker("by-attribute", "epoll");
            withListener("by-property", "by-property-http", PORT_A, () -> withListener("by-attribute", "by-attribute-http", PORT_B, () -> {
                Response fromProperty = HttpConnection.once(PORT_A + Ports.SHARED, TestApp.CONTEXT + "/plaintext");
                assertEquals(200, fromProperty.status(), fromProperty::toString);
                assertEquals("io_uring", fromProperty.engine(), "start undefined: -Dadaptiveio.start=io_uring decides");
                Response fromAttribute = HttpConnection.once(PORT_B + Ports.SHARED, TestApp.CONTEXT + "/plaintext");
                assertEquals("epoll", fromAttribute.engine(), "start=epoll on the worker beats the system property");
            }));
        } finally {
            management.ok(op("remove", "system-property=adaptiveio.start"));
            removeWorker("by-property");
            removeWorker("by-attribute");
        }
    }

    @Test
    void attributesAreCheckedOnlyForTheEngineThatUsesThemAndDefaultsAreNamedAsSuch() {
        ModelNode epoll = op("add", worker("epoll-ignores"));
        epoll.get("engine").set("epoll");
        epoll.get("io-threads").set(1);
        epoll.get("up-threshold").set(4);
        management.ok(epoll);
        removeWorker("epoll-ignores");

        ModelNode adaptive = op("add", worker("inverted"));
        adaptive.get("engine").set("adaptive");
        adaptive.get("up-threshold").set(4);
        String inverted = management.fails(adaptive);
        assertTrue(inverted.contains("ADIOWF0009") && inverted.contains("down-threshold (4, the default)"), inverted);
        assertTrue(management.fails(op("read-resource", worker("inverted"))).contains("WFLYCTL0216"), "nothing added");

        ModelNode maxOnly = op("add", worker("one-task-thread"));
        maxOnly.get("engine").set("epoll");
        maxOnly.get("io-threads").set(1);
        maxOnly.get("task-max-threads").set(1);
        management.ok(maxOnly);
        try {
            assertEquals(1, management.readAttribute("core-pool-size", worker("one-task-thread")).asInt());
            assertEquals(1, management.readAttribute("max-pool-size", worker("one-task-thread")).asInt());
        } finally {
            removeWorker("one-task-thread");
        }

        ModelNode zeroRate = op("add", worker("zero-rate"));
        zeroRate.get("engine").set("adaptive");
        zeroRate.get("io-threads").set(1);
        zeroRate.get("error-revert-rate").set(0.0);
        management.ok(zeroRate);
        removeWorker("zero-rate");
    }

    @Test
    void everyProviderKnobIsAnAttributeWithTheProvidersDefault() {
        ModelNode op = op("read-resource-description", worker("native"));
        ModelNode attributes = management.ok(op).get("attributes");
        assertEquals(false, attributes.get("h2c", "default").asBoolean());
        assertEquals(3, attributes.get("oscillation-switches", "default").asInt());
        assertEquals(300L, attributes.get("oscillation-window", "default").asLong());
        assertEquals(300L, attributes.get("oscillation-lock", "default").asLong());
        assertEquals(1000L, attributes.get("tick", "default").asLong());
        assertEquals(256, attributes.get("ring-size", "default").asInt());
        assertEquals(8192, attributes.get("receive-buffer-size", "default").asInt());
        assertEquals(0.05, attributes.get("error-revert-rate", "default").asDouble());
        assertTrue(attributes.get("start", "description").asString().contains("adaptiveio.start"), attributes.get("start")::toString);
    }

    private static void addAdaptiveWorker(String name, String start) {
        ModelNode add = op("add", worker(name));
        add.get("engine").set("adaptive");
        add.get("io-threads").set(1);
        if (start != null) {
            add.get("start").set(start);
        }
        management.ok(add);
    }

    /** A socket binding and http-listener on the worker for the duration of {@code body}, then both removed. */
    private static void withListener(String worker, String name, int port, Runnable body) {
        ModelNode binding = op("add", "socket-binding-group=standard-sockets", "socket-binding=" + name);
        binding.get("port").set(port);
        management.ok(binding);
        ModelNode listener = op("add", httpListener(name));
        listener.get("socket-binding").set(name);
        listener.get("worker").set(worker);
        management.ok(listener);
        try {
            body.run();
        } finally {
            management.execute(op("remove", httpListener(name)));
            management.execute(op("remove", "socket-binding-group=standard-sockets", "socket-binding=" + name));
            if (!"running".equals(management.serverState())) {
                management.reload();
            }
        }
    }

    /** Removes a worker and stops it at once, so the next test starts from the shared configuration. */
    private static void removeWorker(String name) {
        ModelNode remove = op("remove", worker(name));
        remove.get("operation-headers", "allow-resource-service-restart").set(true);
        management.ok(remove);
    }
}
