package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.httpListener;
import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static dev.adaptiveio.wildfly.arquillian.Management.worker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
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
 * The server exactly as Galleon provisioned it from wildfly-galleon-pack and adaptive-io-galleon-pack with layers
 * web-server, adaptive-io and adaptive-io-transplant, before any CLI touched it (container {@code galleon-layer}: base
 * directory {@code standalone-layer}, a copy taken right after provisioning; ports +13000). Only in the
 * {@code galleon} failsafe execution (arquillian-galleon.xml).
 */
@Order(0)
@ExtendWith(ArquillianExtension.class)
class GalleonLayerIT {

    static final String CONTAINER = "galleon-layer";
    static final String DEPLOYMENT = "galleon-layer-app";
    static final int OFFSET = 13_000;
    static final int HTTP = Ports.HTTP + OFFSET;
    static final int MANAGEMENT = Ports.MANAGEMENT + OFFSET;
    /** The worker the adaptive-io layer adds and puts the http listener on. */
    static final String LAYER_WORKER = "adaptive-io";

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
    void provisionedWithTheLayersAndNoScript() throws IOException {
        Path provisioning = Installed.JBOSS_HOME.resolve(".galleon/provisioning.xml");
        String xml = Files.readString(provisioning);
        assertTrue(xml.contains("dev.adaptiveio:adaptive-io-galleon-pack"), provisioning + ":\n" + xml);
        assertTrue(xml.contains("name=\"adaptive-io\""), provisioning + ":\n" + xml);
        assertTrue(xml.contains("name=\"adaptive-io-transplant\""), provisioning + ":\n" + xml);
        // The modules came from the feature pack (system/layers/base), not from install.sh (modules/dev/...).
        assertTrue(Files.isRegularFile(Installed.JBOSS_HOME.resolve("modules/system/layers/base/dev/adaptiveio/xnio/main/module.xml")));
        assertTrue(Files.isRegularFile(Installed.JBOSS_HOME.resolve("modules/system/layers/base/dev/adaptiveio/transplant/main/module.xml")));
        assertFalse(Files.exists(Installed.JBOSS_HOME.resolve("modules/dev/adaptiveio")), "no script-installed module tree");
    }

    @Test
    void defaultListenerServesOnIoUringThroughTheLayersWorker() {
        this.controller.start(CONTAINER);
        try {
            this.deployer.deploy(DEPLOYMENT);
            try (Management management = new Management(MANAGEMENT)) {
                assertEquals(LAYER_WORKER, management.readAttribute("worker", httpListener("default")).asString(),
                        "the adaptive-io layer puts http-listener=default on its worker");
                ModelNode metrics = management.readRuntime(worker(LAYER_WORKER));
                assertEquals("io_uring", metrics.get("running-engine").asString(), metrics::toString);

                String listener = HttpConnection.HOST + ":" + HTTP;
                try (HttpConnection connection = HttpConnection.open(HTTP)) {
                    Response plain = connection.get(TestApp.CONTEXT + "/plaintext");
                    assertEquals(200, plain.status(), plain::toString);
                    assertEquals("Hello, World!", plain.text());
                    EnginesIT.assertServedBy(plain, "io_uring", "dev.adaptiveio.uring.UringIoThread", LAYER_WORKER);
                    ModelNode during = management.readRuntime(worker(LAYER_WORKER));
                    assertTrue(during.get("listener-connections", listener).asLong(0) >= 1, during::toString);
                }

                // The adaptive-io-transplant layer: the filter from the transplant module, on default-host. The request
                // above went through it (the filter is built on the first request that reaches the host).
                ModelNode filter = management.ok(op("read-resource", "subsystem=undertow", "configuration=filter",
                        "custom-filter=adaptive-io-transplant"));
                assertEquals("dev.adaptiveio.transplant", filter.get("module").asString(), filter::toString);
                assertEquals("dev.adaptiveio.transplant.TransplantHandler", filter.get("class-name").asString(), filter::toString);
                management.ok(op("read-resource", "subsystem=undertow", "server=default-server", "host=default-host",
                        "filter-ref=adaptive-io-transplant"));

                assertWorkerSpecMatchesTheModel(management);
            }
            this.deployer.undeploy(DEPLOYMENT);
        } finally {
            this.controller.stop(CONTAINER);
        }
        new ServerLog("standalone-layer").assertNoErrorFromOurCode();
    }

    /**
     * The feature pack's worker spec is written by hand (galleon-pack/src/main/resources/features): every configuration
     * attribute of the running subsystem's worker must be one of its parameters and of its add operation's, and nothing
     * else, or a layer could not set an attribute (or would set one the model refuses).
     */
    private static void assertWorkerSpecMatchesTheModel(Management management) {
        ModelNode description = management.ok(op("read-resource-description", worker(LAYER_WORKER)));
        Set<String> modelAttributes = new TreeSet<>();
        for (var attribute : description.get("attributes").asPropertyList()) {
            if ("configuration".equals(attribute.getValue().get("storage").asString())) {
                modelAttributes.add(attribute.getName());
            }
        }
        assertTrue(modelAttributes.contains("engine"), description::toString);

        Path spec = Path.of(System.getProperty("adaptiveio.galleon.features")).resolve("subsystem.adaptive-io.worker/spec.xml");
        String xml;
        try {
            xml = Files.readString(spec);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> params = new TreeSet<>();
        Matcher param = Pattern.compile("<param name=\"([^\"]+)\"").matcher(xml);
        while (param.find()) {
            params.add(param.group(1));
        }
        params.removeAll(Set.of("profile", "subsystem", "worker"));
        assertEquals(modelAttributes, params, spec + " parameters");

        Matcher opParams = Pattern.compile("name=\"op-params\" value=\"([^\"]*)\"").matcher(xml);
        assertTrue(opParams.find(), spec::toString);
        assertEquals(modelAttributes, new TreeSet<>(Set.of(opParams.group(1).split(","))), spec + " op-params");
    }
}
