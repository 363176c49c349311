package dev.adaptiveio.wildfly;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import org.jboss.as.controller.AttributeDefinition;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.as.controller.SimpleAttributeDefinition;
import org.jboss.as.controller.SimpleAttributeDefinitionBuilder;
import org.jboss.as.controller.client.helpers.MeasurementUnit;
import org.jboss.as.controller.operations.validation.IntRangeValidator;
import org.jboss.as.controller.operations.validation.LongRangeValidator;
import org.jboss.as.controller.operations.validation.ModelTypeValidator;
import org.jboss.as.controller.operations.validation.StringAllowedValuesValidator;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ModelType;

import dev.adaptiveio.adaptive.control.ControllerConfig;
import dev.adaptiveio.adaptive.control.StartMode;
import dev.adaptiveio.adaptive.control.WorkloadHint;
import dev.adaptiveio.core.natives.uring.RingConfig;
import dev.adaptiveio.uring.UringAcceptMode;
import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * Configuration attributes of {@code /subsystem=adaptive-io/worker=*}. Every change needs a reload: a running
 * worker's threads and engine cannot be swapped under the listeners that use it.
 */
public final class WorkerAttributes {

    public static final SimpleAttributeDefinition ENGINE = builder("engine", ModelType.STRING)
            .setDefaultValue(new ModelNode(Engine.EPOLL.providerName()))
            .setValidator(new StringAllowedValuesValidator(Engine.providerNames()))
            .build();

    /** Undefined means two per available processor, like WildFly's io subsystem. */
    public static final SimpleAttributeDefinition IO_THREADS = builder("io-threads", ModelType.INT)
            .setRequired(false)
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition TASK_CORE_THREADS = builder("task-core-threads", ModelType.INT)
            .setDefaultValue(new ModelNode(2))
            .setValidator(new IntRangeValidator(0, true, true))
            .build();
    /** Undefined means sixteen per available processor, like WildFly's io subsystem. */
    public static final SimpleAttributeDefinition TASK_MAX_THREADS = builder("task-max-threads", ModelType.INT)
            .setRequired(false)
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition TASK_KEEPALIVE = builder("task-keepalive", ModelType.INT)
            .setDefaultValue(new ModelNode(60_000))
            .setMeasurementUnit(MeasurementUnit.MILLISECONDS)
            .setValidator(new IntRangeValidator(0, true, true))
            .build();
    /** 0 means the JVM's default thread stack size. */
    public static final SimpleAttributeDefinition STACK_SIZE = builder("stack-size", ModelType.LONG)
            .setDefaultValue(ModelNode.ZERO_LONG)
            .setMeasurementUnit(MeasurementUnit.BYTES)
            .setValidator(new LongRangeValidator(0, true))
            .build();

    // Adaptive engine only; the other engines ignore them and skip the rules between them (each value's own range
    // still applies). An undefined attribute is not passed to the
    // provider, so the provider's own precedence applies (system property adaptiveio.<option>, then its default); the
    // default shown here is the provider's, taken from its code so the two cannot drift apart.
    private static final ControllerConfig PROVIDER = ControllerConfig.defaults();

    public static final SimpleAttributeDefinition START = builder("start", ModelType.STRING)
            .setDefaultValue(new ModelNode(StartMode.AUTO.userName()))
            .setValidator(new StringAllowedValuesValidator(names(StartMode.values(), StartMode::userName)))
            .build();
    public static final SimpleAttributeDefinition WORKLOAD_HINT = builder("workload-hint", ModelType.STRING)
            .setDefaultValue(new ModelNode(WorkloadHint.AUTO.name()))
            .setValidator(new StringAllowedValuesValidator(names(WorkloadHint.values(), WorkloadHint::name)))
            .build();
    public static final SimpleAttributeDefinition H2C = builder("h2c", ModelType.BOOLEAN)
            .setDefaultValue(ModelNode.FALSE)
            .build();
    public static final SimpleAttributeDefinition UP_THRESHOLD = builder("up-threshold", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.upThreshold()))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition DOWN_THRESHOLD = builder("down-threshold", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.downThreshold()))
            .setValidator(new IntRangeValidator(0, true, true))
            .build();
    public static final SimpleAttributeDefinition SUSTAINED_TICKS = builder("sustained-ticks", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.sustainedTicks()))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition HIGH_WATERMARK = builder("high-watermark", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.highWatermark()))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition COOLDOWN = builder("cooldown", ModelType.LONG)
            .setDefaultValue(new ModelNode(PROVIDER.cooldown().toSeconds()))
            .setMeasurementUnit(MeasurementUnit.SECONDS)
            .setValidator(new LongRangeValidator(0, true))
            .build();
    public static final SimpleAttributeDefinition LARGE_PAYLOAD_BYTES = builder("large-payload-bytes", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.largePayloadBytes()))
            .setMeasurementUnit(MeasurementUnit.BYTES)
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition ERROR_REVERT_RATE = builder("error-revert-rate", ModelType.DOUBLE)
            .setDefaultValue(new ModelNode(PROVIDER.errorRevertRate()))
            .setValidator(new RateValidator())
            .build();
    public static final SimpleAttributeDefinition OSCILLATION_SWITCHES = builder("oscillation-switches", ModelType.INT)
            .setDefaultValue(new ModelNode(PROVIDER.oscillationSwitches()))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition OSCILLATION_WINDOW = builder("oscillation-window", ModelType.LONG)
            .setDefaultValue(new ModelNode(PROVIDER.oscillationWindow().toSeconds()))
            .setMeasurementUnit(MeasurementUnit.SECONDS)
            .setValidator(new LongRangeValidator(0, true))
            .build();
    public static final SimpleAttributeDefinition OSCILLATION_LOCK = builder("oscillation-lock", ModelType.LONG)
            .setDefaultValue(new ModelNode(PROVIDER.oscillationLock().toSeconds()))
            .setMeasurementUnit(MeasurementUnit.SECONDS)
            .setValidator(new LongRangeValidator(0, true))
            .build();
    public static final SimpleAttributeDefinition TICK = builder("tick", ModelType.LONG)
            .setDefaultValue(new ModelNode(PROVIDER.tick().toMillis()))
            .setMeasurementUnit(MeasurementUnit.MILLISECONDS)
            .setValidator(new LongRangeValidator(10, true))
            .build();
    public static final SimpleAttributeDefinition TRANSPLANT = builder("transplant", ModelType.BOOLEAN)
            .setDefaultValue(ModelNode.FALSE)
            .build();

    // io_uring and adaptive engines (their io_uring threads); epoll ignores them. Undefined: the provider's
    // system property (adaptiveio.io_uring.ringSize, .recvBufferSize, .acceptMode), then its default.
    public static final SimpleAttributeDefinition RING_SIZE = builder("ring-size", ModelType.INT)
            .setDefaultValue(new ModelNode(RingConfig.DEFAULT_RING_SIZE))
            .setValidator(new IntRangeValidator(RingConfig.MIN_RING_SIZE, RingConfig.MAX_RING_SIZE, true, true))
            .build();
    public static final SimpleAttributeDefinition RECEIVE_BUFFER_SIZE = builder("receive-buffer-size", ModelType.INT)
            .setDefaultValue(new ModelNode(8192))
            .setMeasurementUnit(MeasurementUnit.BYTES)
            .setValidator(new IntRangeValidator(512, 1 << 20, true, true))
            .build();
    public static final SimpleAttributeDefinition ACCEPT_MODE = builder("accept-mode", ModelType.STRING)
            .setDefaultValue(new ModelNode(UringAcceptMode.DEFAULT.userName()))
            .setValidator(new StringAllowedValuesValidator(names(UringAcceptMode.values(), UringAcceptMode::userName)))
            .build();

    /** The attributes only the adaptive engine reads. */
    public static final List<SimpleAttributeDefinition> ADAPTIVE = List.of(START, WORKLOAD_HINT, H2C, UP_THRESHOLD, DOWN_THRESHOLD,
            SUSTAINED_TICKS, HIGH_WATERMARK, COOLDOWN, LARGE_PAYLOAD_BYTES, ERROR_REVERT_RATE, OSCILLATION_SWITCHES, OSCILLATION_WINDOW,
            OSCILLATION_LOCK, TICK, TRANSPLANT);

    /** All configuration attributes, in XML/XSD order. */
    public static final List<AttributeDefinition> ALL = List.of(ENGINE, IO_THREADS, TASK_CORE_THREADS, TASK_MAX_THREADS,
            TASK_KEEPALIVE, STACK_SIZE, START, WORKLOAD_HINT, H2C, UP_THRESHOLD, DOWN_THRESHOLD, SUSTAINED_TICKS, HIGH_WATERMARK,
            COOLDOWN, LARGE_PAYLOAD_BYTES, ERROR_REVERT_RATE, OSCILLATION_SWITCHES, OSCILLATION_WINDOW, OSCILLATION_LOCK, TICK,
            TRANSPLANT, RING_SIZE, RECEIVE_BUFFER_SIZE, ACCEPT_MODE);

    private static <T> String[] names(T[] values, Function<T, String> name) {
        return Arrays.stream(values).map(name).toArray(String[]::new);
    }

    private static SimpleAttributeDefinitionBuilder builder(String name, ModelType type) {
        return new SimpleAttributeDefinitionBuilder(name, type)
                .setRequired(false)
                .setAllowExpression(true)
                .setRestartAllServices();
    }

    /** A rate from 0 to 1, the range the provider accepts (0: any io_uring error reverts). */
    static final class RateValidator extends ModelTypeValidator {
        RateValidator() {
            super(ModelType.DOUBLE, true, true);
        }

        @Override
        public void validateParameter(String parameterName, ModelNode value) throws OperationFailedException {
            super.validateParameter(parameterName, value);
            if (value.isDefined() && value.getType() != ModelType.EXPRESSION) {
                double rate = value.asDouble();
                if (!(rate >= 0.0 && rate <= 1.0)) {
                    throw AdaptiveIoLogger.ROOT_LOGGER.rateOutOfRange(parameterName, value.asString());
                }
            }
        }
    }

    private WorkerAttributes() {
    }
}
