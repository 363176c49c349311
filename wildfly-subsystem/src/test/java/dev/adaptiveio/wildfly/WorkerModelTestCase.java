package dev.adaptiveio.wildfly;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.jboss.as.controller.PathAddress;
import org.jboss.as.controller.PathElement;
import org.jboss.as.controller.descriptions.ModelDescriptionConstants;
import org.jboss.as.controller.operations.common.Util;
import org.jboss.as.subsystem.test.AbstractSubsystemTest;
import org.jboss.as.subsystem.test.AdditionalInitialization;
import org.jboss.as.subsystem.test.KernelServices;
import org.jboss.dmr.ModelNode;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The worker resource's management model: defaults, single-attribute validation and the cross-attribute rules, on
 * add and on write-attribute. Model only (admin-only controller): no engine is started here.
 */
public class WorkerModelTestCase extends AbstractSubsystemTest {

    static final PathAddress SUBSYSTEM = PathAddress.pathAddress(PathElement.pathElement(ModelDescriptionConstants.SUBSYSTEM, "adaptive-io"));

    private KernelServices services;

    public WorkerModelTestCase() {
        super(AdaptiveIoSubsystemRegistrar.REGISTRATION.getName(), new AdaptiveIoExtension());
    }

    @Before
    public void boot() throws Exception {
        this.services = this.createKernelServicesBuilder(AdditionalInitialization.MANAGEMENT)
                .setSubsystemXml("<subsystem xmlns=\"urn:wildfly:adaptive-io:1.0\"/>")
                .build();
        assertTrue(String.valueOf(this.services.getBootError()), this.services.isSuccessfulBoot());
    }

    @After
    public void shutdown() {
        this.services.shutdown();
    }

    static PathAddress worker(String name) {
        return SUBSYSTEM.append("worker", name);
    }

    static ModelNode add(String name, String... attributes) {
        ModelNode op = Util.createAddOperation(worker(name));
        for (int i = 0; i < attributes.length; i += 2) {
            op.get(attributes[i]).set(attributes[i + 1]);
        }
        return op;
    }

    private ModelNode execute(ModelNode op) {
        return this.services.executeOperation(op);
    }

    private String failure(ModelNode op) {
        ModelNode result = this.execute(op);
        assertEquals(result.toString(), ModelDescriptionConstants.FAILED, result.get(ModelDescriptionConstants.OUTCOME).asString());
        return result.get(ModelDescriptionConstants.FAILURE_DESCRIPTION).asString();
    }

    private boolean exists(String name) {
        ModelNode model = this.services.readWholeModel().get("subsystem", "adaptive-io", "worker");
        return model.isDefined() && model.has(name);
    }

    @Test
    public void defaultsAreSensible() {
        ModelNode result = this.execute(add("w"));
        assertEquals(result.toString(), ModelDescriptionConstants.SUCCESS, result.get(ModelDescriptionConstants.OUTCOME).asString());
        ModelNode read = Util.createEmptyOperation(ModelDescriptionConstants.READ_RESOURCE_OPERATION, worker("w"));
        read.get(ModelDescriptionConstants.INCLUDE_DEFAULTS).set(true);
        ModelNode model = this.execute(read).get(ModelDescriptionConstants.RESULT);
        assertEquals("epoll", model.get("engine").asString());
        assertFalse("io-threads undefined = per-CPU default", model.get("io-threads").isDefined());
        assertFalse(model.get("task-max-threads").isDefined());
        assertEquals(2, model.get("task-core-threads").asInt());
        assertEquals(60_000, model.get("task-keepalive").asInt());
        assertEquals(0L, model.get("stack-size").asLong());
        assertEquals("auto", model.get("start").asString());
        assertEquals("AUTO", model.get("workload-hint").asString());
        assertEquals(8, model.get("up-threshold").asInt());
        assertEquals(4, model.get("down-threshold").asInt());
        assertEquals(2, model.get("sustained-ticks").asInt());
        assertEquals(32, model.get("high-watermark").asInt());
        assertEquals(30L, model.get("cooldown").asLong());
        assertEquals(8192, model.get("large-payload-bytes").asInt());
        assertEquals(0.05, model.get("error-revert-rate").asDouble(), 0.0);
        assertFalse(model.get("transplant").asBoolean());
        assertFalse(model.get("h2c").asBoolean());
        assertEquals(3, model.get("oscillation-switches").asInt());
        assertEquals(300L, model.get("oscillation-window").asLong());
        assertEquals(300L, model.get("oscillation-lock").asLong());
        assertEquals(1000L, model.get("tick").asLong());
        assertEquals(256, model.get("ring-size").asInt());
        assertEquals(8192, model.get("receive-buffer-size").asInt());
        assertEquals("ring", model.get("accept-mode").asString());
    }

    @Test
    public void invalidSingleValuesAreRefused() {
        String engine = this.failure(add("bad", "engine", "nio"));
        assertTrue(engine, engine.contains("nio") && engine.contains("engine") && engine.contains("io_uring") && engine.contains("adaptive"));
        assertTrue(this.failure(add("bad", "io-threads", "0")).contains("io-threads"));
        assertTrue(this.failure(add("bad", "task-max-threads", "-1")).contains("task-max-threads"));
        assertTrue(this.failure(add("bad", "task-keepalive", "-5")).contains("task-keepalive"));
        assertTrue(this.failure(add("bad", "stack-size", "-1")).contains("stack-size"));
        assertTrue(this.failure(add("bad", "start", "nio")).contains("start"));
        assertTrue(this.failure(add("bad", "workload-hint", "low")).contains("workload-hint"));
        assertTrue(this.failure(add("bad", "sustained-ticks", "0")).contains("sustained-ticks"));
        assertTrue(this.failure(add("bad", "io-threads", "many")).contains("io-threads"));
        String rate = this.failure(add("bad", "engine", "adaptive", "error-revert-rate", "1.5"));
        assertTrue(rate, rate.contains("ADIOWF0016") && rate.contains("error-revert-rate"));
        assertTrue(this.failure(add("bad", "error-revert-rate", "-0.1")).contains("ADIOWF0016"));
        assertTrue(this.failure(add("bad", "tick", "5")).contains("tick"));
        assertTrue(this.failure(add("bad", "ring-size", "8")).contains("ring-size"));
        assertTrue(this.failure(add("bad", "receive-buffer-size", "100")).contains("receive-buffer-size"));
        String acceptMode = this.failure(add("bad", "engine", "io_uring", "accept-mode", "sideways"));
        assertTrue(acceptMode, acceptMode.contains("accept-mode") && acceptMode.contains("ring") && acceptMode.contains("readiness"));
        assertFalse("a refused add leaves nothing behind", this.exists("bad"));
    }

    @Test
    public void crossAttributeRulesAreChecked() {
        String threads = this.failure(add("bad", "task-core-threads", "10", "task-max-threads", "4"));
        assertTrue(threads, threads.contains("ADIOWF0008"));
        String thresholds = this.failure(add("bad", "engine", "adaptive", "up-threshold", "20", "down-threshold", "20"));
        assertTrue(thresholds, thresholds.contains("ADIOWF0009"));
        String watermark = this.failure(add("bad", "engine", "adaptive", "high-watermark", "6"));
        assertTrue(watermark, watermark.contains("ADIOWF0010"));
        String transplant = this.failure(add("bad", "engine", "epoll", "transplant", "true"));
        assertTrue(transplant, transplant.contains("ADIOWF0011") && transplant.contains("engine=epoll"));
        assertFalse(this.exists("bad"));

        ModelNode ok = this.execute(add("ok", "engine", "adaptive", "transplant", "true", "up-threshold", "40", "down-threshold", "10", "high-watermark", "40"));
        assertEquals(ok.toString(), ModelDescriptionConstants.SUCCESS, ok.get(ModelDescriptionConstants.OUTCOME).asString());
    }

    @Test
    public void adaptiveRulesApplyOnlyToTheAdaptiveEngineAndNameDefaultsAsDefaults() {
        ModelNode epoll = this.execute(add("e", "engine", "epoll", "up-threshold", "4"));
        assertEquals("epoll does not read up-threshold, so nothing to refuse: " + epoll,
                ModelDescriptionConstants.SUCCESS, epoll.get(ModelDescriptionConstants.OUTCOME).asString());
        ModelNode rate = this.execute(add("r", "engine", "adaptive", "error-revert-rate", "0"));
        assertEquals("the provider accepts 0..1, so does the subsystem: " + rate,
                ModelDescriptionConstants.SUCCESS, rate.get(ModelDescriptionConstants.OUTCOME).asString());

        String adaptive = this.failure(add("a", "engine", "adaptive", "up-threshold", "4"));
        assertTrue(adaptive, adaptive.contains("ADIOWF0009") && adaptive.contains("down-threshold (4, the default)")
                && adaptive.contains("up-threshold (4)"));
        String high = this.failure(add("a", "engine", "adaptive", "high-watermark", "6"));
        assertTrue(high, high.contains("ADIOWF0010") && high.contains("high-watermark (6)") && high.contains("up-threshold (8, the default)"));

        ModelNode maxOnly = this.execute(add("t", "task-max-threads", "1"));
        assertEquals("task-max-threads=1 alone caps the default core size instead of citing it: " + maxOnly,
                ModelDescriptionConstants.SUCCESS, maxOnly.get(ModelDescriptionConstants.OUTCOME).asString());
    }

    @Test
    public void writesThatBreakTheRulesAreRolledBack() {
        this.execute(add("w", "engine", "adaptive", "transplant", "true"));
        String down = this.failure(Util.getWriteAttributeOperation(worker("w"), "down-threshold", new ModelNode(30)));
        assertTrue(down, down.contains("ADIOWF0009"));
        String engine = this.failure(Util.getWriteAttributeOperation(worker("w"), "engine", new ModelNode("epoll")));
        assertTrue(engine, engine.contains("ADIOWF0011"));
        ModelNode model = this.services.readWholeModel().get("subsystem", "adaptive-io", "worker", "w");
        assertEquals("down-threshold kept its default", 4, model.get("down-threshold").asInt());
        assertEquals("adaptive", model.get("engine").asString());

        ModelNode undefine = Util.getUndefineAttributeOperation(worker("w"), "transplant");
        ModelNode result = this.execute(undefine);
        assertEquals(result.toString(), ModelDescriptionConstants.SUCCESS, result.get(ModelDescriptionConstants.OUTCOME).asString());
        ModelNode write = this.execute(Util.getWriteAttributeOperation(worker("w"), "engine", new ModelNode("epoll")));
        assertEquals(write.toString(), ModelDescriptionConstants.SUCCESS, write.get(ModelDescriptionConstants.OUTCOME).asString());
    }

    @Test
    public void expressionsAreAccepted() {
        ModelNode result = this.execute(add("expr", "engine", "${adaptiveio.test.engine:io_uring}", "io-threads", "${adaptiveio.test.threads:3}"));
        assertEquals(result.toString(), ModelDescriptionConstants.SUCCESS, result.get(ModelDescriptionConstants.OUTCOME).asString());
    }
}
