package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

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
 * A server whose JVM runs with {@code -Dadaptiveio.io_uring=disabled} (container {@code nouring}: its own base
 * directory {@code standalone-nouring}, ports +12000, the shared configuration without the io_uring worker).
 * It boots and serves on the epoll worker; a worker that asks for io_uring explicitly is refused with the reason,
 * and the io_uring provider says it is unavailable exactly once however often it is asked; an adaptive worker
 * (when the engine ships) falls back to epoll and logs its start decision once.
 */
@Order(8)
@ExtendWith(ArquillianExtension.class)
class IoUringUnavailableIT {

    static final String CONTAINER = "nouring";
    static final String DEPLOYMENT = "nouring-app";
    static final int HTTP = Ports.HTTP + Ports.NOURING;
    static final int MANAGEMENT = Ports.MANAGEMENT + Ports.NOURING;

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
    void serverBootsServesAndRefusesIoUringWithTheReason() {
        ServerLog log = new ServerLog("standalone-nouring");
        this.controller.start(CONTAINER);
        try (Management management = new Management(MANAGEMENT)) {
            assertEquals("running", management.serverState());
            this.deployer.deploy(DEPLOYMENT);
            Response response = HttpConnection.once(HTTP, TestApp.CONTEXT + "/plaintext");
            assertEquals(200, response.status(), response::toString);
            EnginesIT.assertServedBy(response, "epoll", "dev.adaptiveio.epoll.EpollIoThread", "native");
            assertEquals("epoll", management.readAttribute("running-engine", worker("native")).asString());

            for (String name : List.of("uring-1", "uring-2")) {
                ModelNode add = op("add", worker(name));
                add.get("engine").set("io_uring");
                String failure = management.fails(add);
                assertTrue(failure.contains("ADIOWF0018") && failure.contains("-Dadaptiveio.io_uring=disabled"), failure);
                assertTrue(management.fails(op("read-resource", worker(name))).contains("WFLYCTL0216"), "the refused worker was rolled back");
            }
            List<String> unavailable = log.entriesContaining("ADAPTIVEIO0200");
            assertEquals(1, unavailable.size(), () -> "io_uring unavailability logged once: " + unavailable);
            assertTrue(unavailable.get(0).contains("WARN") && unavailable.get(0).contains("-Dadaptiveio.io_uring=disabled"), unavailable.get(0));

            if (Installed.adaptiveEngineShipped()) {
                adaptiveWorkerFallsBackToEpoll(management, log);
            }

            // Still serving after the refusals.
            response = HttpConnection.once(HTTP, TestApp.CONTEXT + "/async");
            assertEquals(200, response.status(), response::toString);
            assertEquals("epoll", response.engine());
        } finally {
            this.controller.stop(CONTAINER);
        }
        // The refused io_uring workers are the only ERRORs naming our code: for each, MSC reports the failed service
        // (MSC000001) and the controller the failed operation (WFLYCTL0013), both with our ADIOWF0018 message.
        // The adaptive worker's refused force-switch to io_uring is reported by the controller the same way (ADIOWF0015).
        log.assertNoErrorFromOurCode(entry -> (entry.contains("MSC000001") || entry.contains("WFLYCTL0013"))
                && entry.contains("ADIOWF0018: Worker 'uring-")
                || entry.contains("WFLYCTL0013") && entry.contains("ADIOWF0015"));
        assertEquals(0, log.entriesContaining("WFLYCTL0186").size(), "boot without failed services");
    }

    private static void adaptiveWorkerFallsBackToEpoll(Management management, ServerLog log) {
        ModelNode add = op("add", worker("adaptive"));
        add.get("engine").set("adaptive");
        add.get("io-threads").set(1);
        management.ok(add);
        ModelNode binding = op("add", "socket-binding-group=standard-sockets", "socket-binding=http-adaptive");
        binding.get("port").set(8280);
        management.ok(binding);
        ModelNode listener = op("add", httpListener("adaptive"));
        listener.get("socket-binding").set("http-adaptive");
        listener.get("worker").set("adaptive");
        management.ok(listener);
        Response response = HttpConnection.once(8280 + Ports.NOURING, TestApp.CONTEXT + "/plaintext");
        assertEquals(200, response.status(), response::toString);
        assertEquals("epoll", response.engine(), response::toString);
        ModelNode metrics = management.readRuntime(worker("adaptive"));
        assertEquals("epoll", metrics.get("active-engine").asString(), metrics::toString);
        assertEquals("UNAVAILABLE", metrics.get("io-uring-tier").asString(), metrics::toString);
        List<String> decisions = log.entriesContaining("ADAPTIVEIO0300");
        assertEquals(1, decisions.size(), decisions::toString);
        assertTrue(decisions.get(0).contains("io_uring not viable"), decisions.get(0));
        String failure = management.fails(ManagementAccessIT.forceSwitch("adaptive", "io_uring"));
        assertTrue(failure.contains("ADIOWF0015"), failure);
    }
}
