package dev.adaptiveio.wildfly;

import static dev.adaptiveio.wildfly.WorkerModelTestCase.add;
import static dev.adaptiveio.wildfly.WorkerModelTestCase.worker;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.jboss.as.controller.descriptions.ModelDescriptionConstants;
import org.jboss.as.controller.operations.common.Util;
import org.jboss.as.subsystem.test.AbstractSubsystemTest;
import org.jboss.as.subsystem.test.AdditionalInitialization;
import org.jboss.as.subsystem.test.KernelServices;
import org.jboss.dmr.ModelNode;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.xnio.Xnio;

/**
 * Workers with their services running (normal-mode controller), on the real providers (when their jars are on the
 * test class path and the kernel allows): the worker starts, its metrics name the engine that really runs,
 * adaptive-only operations are refused elsewhere and reach the adaptive worker's MXBean on the adaptive engine.
 * (A worker whose engine cannot load is covered by WorkerFactoryTest, which controls the providers it sees.)
 */
public class WorkerRuntimeTestCase extends AbstractSubsystemTest {

    private KernelServices services;

    public WorkerRuntimeTestCase() {
        super(AdaptiveIoSubsystemRegistrar.REGISTRATION.getName(), new AdaptiveIoExtension());
    }

    @Before
    public void boot() throws Exception {
        this.services = this.createKernelServicesBuilder(new AdditionalInitialization())
                .setSubsystemXml("<subsystem xmlns=\"urn:wildfly:adaptive-io:1.0\"/>")
                .build();
        assertTrue(String.valueOf(this.services.getBootError()), this.services.isSuccessfulBoot());
    }

    @After
    public void shutdown() {
        this.services.shutdown();
    }

    private ModelNode execute(ModelNode op) {
        return this.services.executeOperation(op);
    }

    private static boolean succeeded(ModelNode result) {
        return ModelDescriptionConstants.SUCCESS.equals(result.get(ModelDescriptionConstants.OUTCOME).asString());
    }

    private ModelNode read(String worker, String attribute) {
        ModelNode result = this.execute(Util.getReadAttributeOperation(worker(worker), attribute));
        assertTrue(result.toString(), succeeded(result));
        return result.get(ModelDescriptionConstants.RESULT);
    }

    /** The adaptive worker starts, publishes its MXBean, and takes the runtime operations. */
    @Test
    public void adaptiveWorkerRunsAndTakesOperations() throws InterruptedException {
        Assume.assumeTrue("adaptive provider not on the test class path (-DskipProviders) or not usable here", available("adaptive"));
        ModelNode result = this.execute(add("adapt", "engine", "adaptive", "io-threads", "1", "task-core-threads", "1", "task-max-threads", "3",
                "workload-hint", "LOW_CONCURRENCY", "up-threshold", "30", "down-threshold", "10"));
        assertTrue(result.toString(), succeeded(result));
        try {
            assertEquals("adaptive", this.read("adapt", "running-engine").asString());
            assertTrue("the worker MXBean is read", this.read("adapt", "io-uring-tier").isDefined());
            assertEquals(0L, this.read("adapt", "epoll-connections").asLong());
            assertFalse(this.read("adapt", "frozen").asBoolean());

            ModelNode forceSwitch = Util.createEmptyOperation("force-switch", worker("adapt"));
            forceSwitch.get("to").set("epoll");
            ModelNode switched = this.execute(forceSwitch);
            assertFalse("no listener on the worker yet: nothing to switch, and no success to claim: " + switched, succeeded(switched));
            assertTrue(switched.toString(), switched.get(ModelDescriptionConstants.FAILURE_DESCRIPTION).asString().contains("ADIOWF0014"));
            ModelNode bad = Util.createEmptyOperation("force-switch", worker("adapt"));
            bad.get("to").set("nio");
            ModelNode refused = this.execute(bad);
            assertFalse(refused.toString(), succeeded(refused));
            assertTrue(refused.toString(), refused.get(ModelDescriptionConstants.FAILURE_DESCRIPTION).asString().contains("nio"));
            for (String operation : new String[] { "freeze", "unfreeze" }) {
                ModelNode refusedToo = this.execute(Util.createEmptyOperation(operation, worker("adapt")));
                assertFalse(refusedToo.toString(), succeeded(refusedToo));
                assertTrue(refusedToo.toString(), refusedToo.get(ModelDescriptionConstants.FAILURE_DESCRIPTION).asString().contains("ADIOWF0014"));
            }
            assertFalse("a refused freeze froze nothing", this.read("adapt", "frozen").asBoolean());
        } finally {
            // Like the io subsystem's workers, removal waits for a reload unless the caller allows the restart now.
            ModelNode remove = Util.createRemoveOperation(worker("adapt"));
            remove.get(ModelDescriptionConstants.OPERATION_HEADERS, ModelDescriptionConstants.ALLOW_RESOURCE_SERVICE_RESTART).set(true);
            ModelNode removed = this.execute(remove);
            assertTrue(removed.toString(), succeeded(removed));
            assertFalse("stopped at once: " + removed, removed.get(ModelDescriptionConstants.RESPONSE_HEADERS).has(ModelDescriptionConstants.OPERATION_REQUIRES_RELOAD));
        }
        // The provider unregisters its MXBean once the worker has terminated; the subsystem's stop waits for that
        // (up to 30 s), so a reload never starts a worker whose MXBean name is still taken.
        long start = System.nanoTime();
        boolean registered = true;
        while (registered && System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(30)) {
            registered = java.lang.management.ManagementFactory.getPlatformMBeanServer().isRegistered(AdaptiveWorkerMBean.worker("adapt"));
            if (registered) {
                Thread.sleep(100);
            }
        }
        assertFalse("worker MXBean still registered 30 s after the worker's removal", registered);
    }

    @Test
    public void epollWorkerRunsOnEpoll() {
        this.workerRunsOn("epoll");
    }

    @Test
    public void ioUringWorkerRunsOnIoUring() {
        this.workerRunsOn("io_uring");
    }

    private void workerRunsOn(String engine) {
        Assume.assumeTrue(engine + " provider not on the test class path (-DskipProviders) or not usable here", available(engine));
        ModelNode result = this.execute(add("native", "engine", engine, "io-threads", "1", "task-core-threads", "1", "task-max-threads", "3"));
        assertTrue(result.toString(), succeeded(result));
        assertFalse("adding a worker takes effect at once: " + result, result.get(ModelDescriptionConstants.RESPONSE_HEADERS).has(ModelDescriptionConstants.OPERATION_REQUIRES_RELOAD));

        assertEquals(engine, this.read("native", "running-engine").asString());
        assertEquals(1, this.read("native", "io-thread-count").asInt());
        assertEquals(1, this.read("native", "core-pool-size").asInt());
        assertEquals(3, this.read("native", "max-pool-size").asInt());
        assertEquals(0, this.read("native", "connection-count").asInt());
        assertFalse("no adaptive MXBean for an epoll worker", this.read("native", "active-engine").isDefined());

        ModelNode forceSwitch = Util.createEmptyOperation("force-switch", worker("native"));
        forceSwitch.get("to").set("io_uring");
        ModelNode refused = this.execute(forceSwitch);
        assertFalse(refused.toString(), succeeded(refused));
        String failure = refused.get(ModelDescriptionConstants.FAILURE_DESCRIPTION).asString();
        assertTrue(failure, failure.contains("ADIOWF0012") && failure.contains("runs engine '" + engine + "'"));

        // A running worker's threads cannot change under its listeners: writes wait for a reload.
        ModelNode write = this.execute(Util.getWriteAttributeOperation(worker("native"), "io-threads", new ModelNode(2)));
        assertTrue(write.toString(), succeeded(write));
        assertTrue(write.toString(), write.get(ModelDescriptionConstants.RESPONSE_HEADERS, ModelDescriptionConstants.OPERATION_REQUIRES_RELOAD).asBoolean(false));
        assertEquals("still the running value until reload", 1, this.read("native", "io-thread-count").asInt());

        ModelNode removed = this.execute(Util.createRemoveOperation(worker("native")));
        assertTrue(removed.toString(), succeeded(removed));
    }

    private static boolean available(String engine) {
        try {
            return engine.equals(Xnio.getInstance(engine, WorkerFactory.class.getClassLoader()).getName());
        } catch (RuntimeException e) {
            return false;
        }
    }
}
