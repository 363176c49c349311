package dev.adaptiveio.wildfly;

import static dev.adaptiveio.wildfly.WorkerAttributes.COOLDOWN;
import static dev.adaptiveio.wildfly.WorkerAttributes.DOWN_THRESHOLD;
import static dev.adaptiveio.wildfly.WorkerAttributes.ENGINE;
import static dev.adaptiveio.wildfly.WorkerAttributes.ERROR_REVERT_RATE;
import static dev.adaptiveio.wildfly.WorkerAttributes.HIGH_WATERMARK;
import static dev.adaptiveio.wildfly.WorkerAttributes.IO_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.LARGE_PAYLOAD_BYTES;
import static dev.adaptiveio.wildfly.WorkerAttributes.STACK_SIZE;
import static dev.adaptiveio.wildfly.WorkerAttributes.START;
import static dev.adaptiveio.wildfly.WorkerAttributes.SUSTAINED_TICKS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_CORE_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_KEEPALIVE;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_MAX_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TRANSPLANT;
import static dev.adaptiveio.wildfly.WorkerAttributes.UP_THRESHOLD;
import static dev.adaptiveio.wildfly.WorkerAttributes.WORKLOAD_HINT;

import org.jboss.as.controller.ExpressionResolver;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.xnio.OptionMap;
import org.xnio.Options;

import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * A worker's resolved configuration: defaults applied, expressions resolved, cross-attribute rules checked.
 * It turns into the {@link OptionMap} handed to {@code Xnio.createWorker}.
 */
public record WorkerConfiguration(
        String name,
        String engine,
        int ioThreads,
        int taskCoreThreads,
        int taskMaxThreads,
        int taskKeepAliveMillis,
        long stackSize,
        String start,
        String workloadHint,
        int upThreshold,
        int downThreshold,
        int sustainedTicks,
        int highWatermark,
        long cooldownSeconds,
        int largePayloadBytes,
        double errorRevertRate,
        boolean transplant) {

    /** Default I/O threads when {@code io-threads} is undefined: WildFly's io subsystem uses the same rule. */
    static int defaultIoThreads() {
        return Runtime.getRuntime().availableProcessors() * 2;
    }

    /** Default task threads when {@code task-max-threads} is undefined: WildFly's io subsystem uses the same rule. */
    static int defaultTaskMaxThreads() {
        return Runtime.getRuntime().availableProcessors() * 16;
    }

    /**
     * Resolves the model of {@code worker=<name>} and checks the rules no single-attribute validator can:
     * thread bounds, threshold order, transplant only on the adaptive engine.
     */
    public static WorkerConfiguration resolve(ExpressionResolver resolver, String name, ModelNode model) throws OperationFailedException {
        ModelNode ioThreads = IO_THREADS.resolveModelAttribute(resolver, model);
        ModelNode taskMax = TASK_MAX_THREADS.resolveModelAttribute(resolver, model);
        int core = TASK_CORE_THREADS.resolveModelAttribute(resolver, model).asInt();
        int max = taskMax.isDefined() ? taskMax.asInt() : Math.max(core, defaultTaskMaxThreads());
        WorkerConfiguration config = new WorkerConfiguration(name,
                ENGINE.resolveModelAttribute(resolver, model).asString(),
                ioThreads.isDefined() ? ioThreads.asInt() : defaultIoThreads(),
                core,
                max,
                TASK_KEEPALIVE.resolveModelAttribute(resolver, model).asInt(),
                STACK_SIZE.resolveModelAttribute(resolver, model).asLong(),
                START.resolveModelAttribute(resolver, model).asString(),
                WORKLOAD_HINT.resolveModelAttribute(resolver, model).asString(),
                UP_THRESHOLD.resolveModelAttribute(resolver, model).asInt(),
                DOWN_THRESHOLD.resolveModelAttribute(resolver, model).asInt(),
                SUSTAINED_TICKS.resolveModelAttribute(resolver, model).asInt(),
                HIGH_WATERMARK.resolveModelAttribute(resolver, model).asInt(),
                COOLDOWN.resolveModelAttribute(resolver, model).asLong(),
                LARGE_PAYLOAD_BYTES.resolveModelAttribute(resolver, model).asInt(),
                ERROR_REVERT_RATE.resolveModelAttribute(resolver, model).asDouble(),
                TRANSPLANT.resolveModelAttribute(resolver, model).asBoolean());
        config.validate();
        return config;
    }

    void validate() throws OperationFailedException {
        if (this.taskCoreThreads > this.taskMaxThreads) {
            throw AdaptiveIoLogger.ROOT_LOGGER.coreThreadsExceedMax(this.taskCoreThreads, this.taskMaxThreads);
        }
        if (this.downThreshold >= this.upThreshold) {
            throw AdaptiveIoLogger.ROOT_LOGGER.thresholdsInverted(this.downThreshold, this.upThreshold);
        }
        if (this.highWatermark < this.upThreshold) {
            throw AdaptiveIoLogger.ROOT_LOGGER.highWatermarkBelowUpThreshold(this.highWatermark, this.upThreshold);
        }
        if (this.transplant && !Engine.ADAPTIVE.providerName().equals(this.engine)) {
            throw AdaptiveIoLogger.ROOT_LOGGER.transplantNeedsAdaptive(this.engine);
        }
    }

    /** The options for {@code Xnio.createWorker(OptionMap)}. */
    public OptionMap toOptionMap() {
        OptionMap.Builder builder = OptionMap.builder()
                .set(Options.WORKER_NAME, this.name)
                .set(Options.WORKER_IO_THREADS, this.ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, this.taskCoreThreads)
                .set(Options.WORKER_TASK_MAX_THREADS, this.taskMaxThreads)
                .set(Options.WORKER_TASK_KEEPALIVE, this.taskKeepAliveMillis);
        if (this.stackSize > 0) {
            builder.set(Options.STACK_SIZE, this.stackSize);
        }
        if (Engine.ADAPTIVE.providerName().equals(this.engine)) {
            builder.set(AdaptiveOptions.START, this.start)
                    .set(AdaptiveOptions.WORKLOAD_HINT, this.workloadHint)
                    .set(AdaptiveOptions.UP_THRESHOLD, Integer.toString(this.upThreshold))
                    .set(AdaptiveOptions.DOWN_THRESHOLD, Integer.toString(this.downThreshold))
                    .set(AdaptiveOptions.SUSTAINED_TICKS, Integer.toString(this.sustainedTicks))
                    .set(AdaptiveOptions.HIGH_WATERMARK, Integer.toString(this.highWatermark))
                    .set(AdaptiveOptions.COOLDOWN_SECONDS, Long.toString(this.cooldownSeconds))
                    .set(AdaptiveOptions.LARGE_PAYLOAD_BYTES, Integer.toString(this.largePayloadBytes))
                    .set(AdaptiveOptions.ERROR_REVERT_RATE, Double.toString(this.errorRevertRate))
                    .set(AdaptiveOptions.TRANSPLANT, Boolean.toString(this.transplant));
        }
        return builder.getMap();
    }
}
