package dev.adaptiveio.wildfly;

import java.util.List;

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

    // Adaptive engine: ignored by the epoll and io_uring engines.
    public static final SimpleAttributeDefinition START = builder("start", ModelType.STRING)
            .setDefaultValue(new ModelNode("auto"))
            .setValidator(new StringAllowedValuesValidator("epoll", "io_uring", "auto"))
            .build();
    public static final SimpleAttributeDefinition WORKLOAD_HINT = builder("workload-hint", ModelType.STRING)
            .setDefaultValue(new ModelNode("AUTO"))
            .setValidator(new StringAllowedValuesValidator("LOW_CONCURRENCY", "HIGH_CONCURRENCY", "AUTO"))
            .build();
    public static final SimpleAttributeDefinition UP_THRESHOLD = builder("up-threshold", ModelType.INT)
            .setDefaultValue(new ModelNode(8))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition DOWN_THRESHOLD = builder("down-threshold", ModelType.INT)
            .setDefaultValue(new ModelNode(4))
            .setValidator(new IntRangeValidator(0, true, true))
            .build();
    public static final SimpleAttributeDefinition SUSTAINED_TICKS = builder("sustained-ticks", ModelType.INT)
            .setDefaultValue(new ModelNode(2))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition HIGH_WATERMARK = builder("high-watermark", ModelType.INT)
            .setDefaultValue(new ModelNode(32))
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition COOLDOWN = builder("cooldown", ModelType.LONG)
            .setDefaultValue(new ModelNode(30L))
            .setMeasurementUnit(MeasurementUnit.SECONDS)
            .setValidator(new LongRangeValidator(0, true))
            .build();
    public static final SimpleAttributeDefinition LARGE_PAYLOAD_BYTES = builder("large-payload-bytes", ModelType.INT)
            .setDefaultValue(new ModelNode(8192))
            .setMeasurementUnit(MeasurementUnit.BYTES)
            .setValidator(new IntRangeValidator(1, true, true))
            .build();
    public static final SimpleAttributeDefinition ERROR_REVERT_RATE = builder("error-revert-rate", ModelType.DOUBLE)
            .setDefaultValue(new ModelNode(0.05))
            .setValidator(new RateValidator())
            .build();
    public static final SimpleAttributeDefinition TRANSPLANT = builder("transplant", ModelType.BOOLEAN)
            .setDefaultValue(ModelNode.FALSE)
            .build();

    /** All configuration attributes, in XML/XSD order. */
    public static final List<AttributeDefinition> ALL = List.of(ENGINE, IO_THREADS, TASK_CORE_THREADS, TASK_MAX_THREADS,
            TASK_KEEPALIVE, STACK_SIZE, START, WORKLOAD_HINT, UP_THRESHOLD, DOWN_THRESHOLD, SUSTAINED_TICKS, HIGH_WATERMARK,
            COOLDOWN, LARGE_PAYLOAD_BYTES, ERROR_REVERT_RATE, TRANSPLANT);

    private static SimpleAttributeDefinitionBuilder builder(String name, ModelType type) {
        return new SimpleAttributeDefinitionBuilder(name, type)
                .setRequired(false)
                .setAllowExpression(true)
                .setRestartAllServices();
    }

    /** A rate in (0, 1]. */
    static final class RateValidator extends ModelTypeValidator {
        RateValidator() {
            super(ModelType.DOUBLE, true, true);
        }

        @Override
        public void validateParameter(String parameterName, ModelNode value) throws OperationFailedException {
            super.validateParameter(parameterName, value);
            if (value.isDefined() && value.getType() != ModelType.EXPRESSION) {
                double rate = value.asDouble();
                if (!(rate > 0.0 && rate <= 1.0)) {
                    throw AdaptiveIoLogger.ROOT_LOGGER.rateOutOfRange(parameterName, value.asString());
                }
            }
        }
    }

    private WorkerAttributes() {
    }
}
