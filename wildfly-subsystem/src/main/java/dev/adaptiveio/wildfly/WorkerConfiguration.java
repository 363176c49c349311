package dev.adaptiveio.wildfly;

import static dev.adaptiveio.wildfly.WorkerAttributes.ACCEPT_MODE;
import static dev.adaptiveio.wildfly.WorkerAttributes.COOLDOWN;
import static dev.adaptiveio.wildfly.WorkerAttributes.DOWN_THRESHOLD;
import static dev.adaptiveio.wildfly.WorkerAttributes.ENGINE;
import static dev.adaptiveio.wildfly.WorkerAttributes.ERROR_REVERT_RATE;
import static dev.adaptiveio.wildfly.WorkerAttributes.H2C;
import static dev.adaptiveio.wildfly.WorkerAttributes.HIGH_WATERMARK;
import static dev.adaptiveio.wildfly.WorkerAttributes.IO_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.LARGE_PAYLOAD_BYTES;
import static dev.adaptiveio.wildfly.WorkerAttributes.OSCILLATION_LOCK;
import static dev.adaptiveio.wildfly.WorkerAttributes.OSCILLATION_SWITCHES;
import static dev.adaptiveio.wildfly.WorkerAttributes.OSCILLATION_WINDOW;
import static dev.adaptiveio.wildfly.WorkerAttributes.RECEIVE_BUFFER_SIZE;
import static dev.adaptiveio.wildfly.WorkerAttributes.RING_SIZE;
import static dev.adaptiveio.wildfly.WorkerAttributes.STACK_SIZE;
import static dev.adaptiveio.wildfly.WorkerAttributes.START;
import static dev.adaptiveio.wildfly.WorkerAttributes.SUSTAINED_TICKS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_CORE_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_KEEPALIVE;
import static dev.adaptiveio.wildfly.WorkerAttributes.TASK_MAX_THREADS;
import static dev.adaptiveio.wildfly.WorkerAttributes.TICK;
import static dev.adaptiveio.wildfly.WorkerAttributes.TRANSPLANT;
import static dev.adaptiveio.wildfly.WorkerAttributes.UP_THRESHOLD;
import static dev.adaptiveio.wildfly.WorkerAttributes.WORKLOAD_HINT;

import java.util.function.Function;

import org.jboss.as.controller.AttributeDefinition;
import org.jboss.as.controller.ExpressionResolver;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;

import dev.adaptiveio.adaptive.control.AdaptiveOptions;
import dev.adaptiveio.adaptive.control.StartMode;
import dev.adaptiveio.adaptive.control.WorkloadHint;
import dev.adaptiveio.uring.UringAcceptMode;
import dev.adaptiveio.uring.UringOptions;
import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * A worker's resolved configuration: thread settings with their defaults applied, and the engine's own options as
 * typed XNIO options of the providers ({@link AdaptiveOptions}, {@link UringOptions}).
 * <p>
 * Only engine attributes the user defined become options, and only for an engine that reads them. An undefined one
 * is left to the provider, which falls back to its system property ({@code adaptiveio.up_threshold}, ...) and then
 * to its default, the value the attribute's description shows. So {@code -Dadaptiveio.start=io_uring} works on a
 * WildFly adaptive worker exactly as on plain Undertow, unless the worker's {@code start} attribute is defined.
 *
 * @param engineOptions the engine's options, already filtered to those this engine reads
 */
public record WorkerConfiguration(
        String name,
        String engine,
        int ioThreads,
        int taskCoreThreads,
        int taskMaxThreads,
        int taskKeepAliveMillis,
        long stackSize,
        OptionMap engineOptions) {

    /** Default I/O threads when {@code io-threads} is undefined: WildFly's io subsystem uses the same rule. */
    static int defaultIoThreads() {
        return Runtime.getRuntime().availableProcessors() * 2;
    }

    /** Default task threads when {@code task-max-threads} is undefined: WildFly's io subsystem uses the same rule. */
    static int defaultTaskMaxThreads() {
        return Runtime.getRuntime().availableProcessors() * 16;
    }

    /**
     * Resolves the model of {@code worker=<name>} and checks the rules no single-attribute validator can: thread
     * bounds, and for the adaptive engine only, the order of its thresholds and that transplant needs it.
     */
    public static WorkerConfiguration resolve(ExpressionResolver resolver, String name, ModelNode model) throws OperationFailedException {
        String engine = ENGINE.resolveModelAttribute(resolver, model).asString();
        ModelNode ioThreads = IO_THREADS.resolveModelAttribute(resolver, model);
        ModelNode core = TASK_CORE_THREADS.resolveModelAttribute(resolver, model);
        ModelNode max = TASK_MAX_THREADS.resolveModelAttribute(resolver, model);
        boolean coreSet = model.hasDefined(TASK_CORE_THREADS.getName());
        boolean maxSet = max.isDefined();
        int taskMax = maxSet ? max.asInt() : Math.max(core.asInt(), defaultTaskMaxThreads());
        // A default never contradicts a value the user chose: task-max-threads=1 alone caps the default core size.
        int taskCore = coreSet ? core.asInt() : Math.min(core.asInt(), taskMax);
        if (coreSet && maxSet && taskCore > taskMax) {
            throw AdaptiveIoLogger.ROOT_LOGGER.coreThreadsExceedMax(taskCore, taskMax);
        }

        boolean adaptive = Engine.ADAPTIVE.providerName().equals(engine);
        boolean usesRing = adaptive || Engine.IO_URING.providerName().equals(engine);
        OptionMap.Builder options = OptionMap.builder();
        if (adaptive) {
            Defined defined = new Defined(resolver, model, options);
            defined.set(START, AdaptiveOptions.START, node -> StartMode.parse(node.asString()));
            defined.set(WORKLOAD_HINT, AdaptiveOptions.WORKLOAD_HINT, node -> WorkloadHint.valueOf(node.asString()));
            defined.set(H2C, AdaptiveOptions.H2C, ModelNode::asBoolean);
            defined.set(UP_THRESHOLD, AdaptiveOptions.UP_THRESHOLD, ModelNode::asInt);
            defined.set(DOWN_THRESHOLD, AdaptiveOptions.DOWN_THRESHOLD, ModelNode::asInt);
            defined.set(SUSTAINED_TICKS, AdaptiveOptions.SUSTAINED_TICKS, ModelNode::asInt);
            defined.set(HIGH_WATERMARK, AdaptiveOptions.HIGH_WATERMARK, ModelNode::asInt);
            defined.set(COOLDOWN, AdaptiveOptions.COOLDOWN_SECONDS, ModelNode::asLong);
            defined.set(LARGE_PAYLOAD_BYTES, AdaptiveOptions.LARGE_PAYLOAD_BYTES, ModelNode::asInt);
            defined.set(ERROR_REVERT_RATE, AdaptiveOptions.ERROR_REVERT_RATE, ModelNode::asDouble);
            defined.set(OSCILLATION_SWITCHES, AdaptiveOptions.OSCILLATION_SWITCHES, ModelNode::asInt);
            defined.set(OSCILLATION_WINDOW, AdaptiveOptions.OSCILLATION_WINDOW_SECONDS, ModelNode::asLong);
            defined.set(OSCILLATION_LOCK, AdaptiveOptions.OSCILLATION_LOCK_SECONDS, ModelNode::asLong);
            defined.set(TICK, AdaptiveOptions.TICK_MILLIS, ModelNode::asLong);
            defined.set(TRANSPLANT, AdaptiveOptions.TRANSPLANT, ModelNode::asBoolean);
        } else if (model.hasDefined(TRANSPLANT.getName()) && TRANSPLANT.resolveModelAttribute(resolver, model).asBoolean()) {
            throw AdaptiveIoLogger.ROOT_LOGGER.transplantNeedsAdaptive(engine);
        }
        if (usesRing) {
            Defined defined = new Defined(resolver, model, options);
            defined.set(RING_SIZE, UringOptions.RING_SIZE, ModelNode::asInt);
            defined.set(RECEIVE_BUFFER_SIZE, UringOptions.RECEIVE_BUFFER_SIZE, ModelNode::asInt);
            defined.set(ACCEPT_MODE, UringOptions.ACCEPT_MODE, node -> UringAcceptMode.parse(node.asString()));
        }
        OptionMap engineOptions = options.getMap();
        if (adaptive) {
            checkThresholdOrder(engineOptions);
        }
        return new WorkerConfiguration(name, engine,
                ioThreads.isDefined() ? ioThreads.asInt() : defaultIoThreads(),
                taskCore,
                taskMax,
                TASK_KEEPALIVE.resolveModelAttribute(resolver, model).asInt(),
                STACK_SIZE.resolveModelAttribute(resolver, model).asLong(),
                engineOptions);
    }

    /**
     * The provider refuses thresholds out of order; say so at add time, naming where each value came from, so an
     * operator is never told about a default as if they had set it.
     */
    private static void checkThresholdOrder(OptionMap options) throws OperationFailedException {
        Effective up = Effective.of(options, AdaptiveOptions.UP_THRESHOLD, UP_THRESHOLD);
        Effective down = Effective.of(options, AdaptiveOptions.DOWN_THRESHOLD, DOWN_THRESHOLD);
        Effective high = Effective.of(options, AdaptiveOptions.HIGH_WATERMARK, HIGH_WATERMARK);
        if (up == null || down == null || high == null) {
            return; // an unreadable system property: the provider names it when the worker starts
        }
        if (down.value >= up.value) {
            throw AdaptiveIoLogger.ROOT_LOGGER.thresholdsInverted(down.describe(), up.describe());
        }
        if (high.value < up.value) {
            throw AdaptiveIoLogger.ROOT_LOGGER.highWatermarkBelowUpThreshold(high.describe(), up.describe());
        }
    }

    /** One threshold as the provider will see it: the attribute, else the system property, else the default. */
    private record Effective(int value, String source) {

        static Effective of(OptionMap options, Option<Integer> option, AttributeDefinition attribute) {
            Integer set = options.get(option);
            if (set != null) {
                return new Effective(set, null);
            }
            String property = AdaptiveOptions.propertyName(option);
            String text = System.getProperty(property);
            if (text != null && !text.isBlank()) {
                try {
                    return new Effective(Integer.parseInt(text.trim()), "system property " + property);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return new Effective(attribute.getDefaultValue().asInt(), "the default");
        }

        String describe() {
            return (this.source == null) ? Integer.toString(this.value) : this.value + ", " + this.source;
        }
    }

    /** Copies defined attributes into typed options. */
    private record Defined(ExpressionResolver resolver, ModelNode model, OptionMap.Builder options) {
        <T> void set(AttributeDefinition attribute, Option<T> option, Function<ModelNode, T> value) throws OperationFailedException {
            if (this.model.hasDefined(attribute.getName())) {
                this.options.set(option, value.apply(attribute.resolveModelAttribute(this.resolver, this.model)));
            }
        }
    }

    /** The options for {@code Xnio.createWorker(OptionMap)}. */
    public OptionMap toOptionMap() {
        OptionMap.Builder builder = OptionMap.builder()
                .addAll(this.engineOptions)
                .set(Options.WORKER_NAME, this.name)
                .set(Options.WORKER_IO_THREADS, this.ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, this.taskCoreThreads)
                .set(Options.WORKER_TASK_MAX_THREADS, this.taskMaxThreads)
                .set(Options.WORKER_TASK_KEEPALIVE, this.taskKeepAliveMillis);
        if (this.stackSize > 0) {
            builder.set(Options.STACK_SIZE, this.stackSize);
        }
        return builder.getMap();
    }

    /** For tests: a configuration without engine options. */
    static WorkerConfiguration of(String name, String engine, int ioThreads, int taskCoreThreads, int taskMaxThreads,
            int taskKeepAliveMillis, long stackSize) {
        return new WorkerConfiguration(name, engine, ioThreads, taskCoreThreads, taskMaxThreads, taskKeepAliveMillis, stackSize, OptionMap.EMPTY);
    }
}
