package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/**
 * Configuration made through the management API survives a reload and a full stop and start of the server
 * (container {@code restart}: its own base directory {@code standalone-restart}, ports +11000).
 */
@Order(7)
@ExtendWith(ArquillianExtension.class)
class RestartPersistenceIT {

    static final String CONTAINER = "restart";
    static final String DEPLOYMENT = "restart-app";
    static final int HTTP = Ports.HTTP + Ports.RESTART;
    static final int MANAGEMENT = Ports.MANAGEMENT + Ports.RESTART;

    @ArquillianResource
    ContainerController controller;

    @ArquillianResource
    Deployer deployer;

    @Deployment(name = DEPLOYMENT, managed = false, testable = false)
    @TargetsContainer(CONTAINER)
    static WebArchive app() {
        return TestApp.war();
    }

    @Test
    void workerAndListenerSurviveReloadAndRestart() {
        this.controller.start(CONTAINER);
        try {
            this.deployer.deploy(DEPLOYMENT);
            try (Management management = new Management(MANAGEMENT)) {
                ModelNode add = op("add", worker("persisted"));
                add.get("engine").set("io_uring");
                add.get("io-threads").set(3);
                add.get("task-max-threads").set(24);
                management.ok(add);
                management.writeAttribute("worker", "persisted", httpListener("default"));
                management.writeAttribute("worker", "persisted", "subsystem=remoting");
                management.reload();
                assertRunsOnPersistedWorker(management, "after reload");
            }
            this.controller.stop(CONTAINER);

            String xml = Installed.serverConfig("standalone-restart");
            assertTrue(Pattern.compile("<worker name=\"persisted\" engine=\"io_uring\" io-threads=\"3\" task-max-threads=\"24\"/>")
                    .matcher(xml).find(), "standalone.xml has the worker");
            assertTrue(Pattern.compile("<http-listener name=\"default\"[^>]*worker=\"persisted\"").matcher(xml).find(),
                    "standalone.xml has the listener on the worker");

            this.controller.start(CONTAINER);
            try (Management management = new Management(MANAGEMENT)) {
                assertRunsOnPersistedWorker(management, "after restart");
            }
        } finally {
            this.controller.stop(CONTAINER);
        }
        new ServerLog("standalone-restart").assertNoErrorFromOurCode();
    }

    private static void assertRunsOnPersistedWorker(Management management, String when) {
        ModelNode metrics = management.readRuntime(worker("persisted"));
        assertEquals("io_uring", metrics.get("running-engine").asString(), when + ": " + metrics);
        assertEquals(3, metrics.get("io-thread-count").asInt(), when);
        assertEquals(24, metrics.get("max-pool-size").asInt(), when);
        try (HttpConnection connection = HttpConnection.open(HTTP)) {
            Response response = connection.get(TestApp.CONTEXT + "/plaintext");
            assertEquals(200, response.status(), when + ": " + response);
            EnginesIT.assertServedBy(response, "io_uring", "dev.adaptiveio.uring.UringIoThread", "persisted");
            ModelNode during = management.readRuntime(worker("persisted"));
            assertTrue(during.get("listener-connections", HttpConnection.HOST + ":" + HTTP).asLong(0) >= 1, when + ": " + during);
        }
    }
}
