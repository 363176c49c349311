package dev.adaptiveio.wildfly;

import org.jboss.as.controller.AttributeDefinition;
import org.jboss.as.controller.ExpressionResolver;
import org.jboss.as.controller.OperationDefinition;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.as.controller.SimpleAttributeDefinitionBuilder;
import org.jboss.as.controller.SimpleOperationDefinitionBuilder;
import org.jboss.as.controller.operations.validation.StringAllowedValuesValidator;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ModelType;
import org.wildfly.subsystem.resource.executor.RuntimeOperation;
import org.xnio.XnioWorker;

/**
 * Runtime operations on an adaptive worker, applied to each of its listeners through their MXBeans
 * ({@link AdaptiveWorkerMBean}); the reply lists the listeners ({@code host:port}) they were applied to.
 * They change runtime state, so WildFly's access control lets only Operator and above run them.
 */
public enum WorkerOperation implements RuntimeOperation<XnioWorker> {
    /** Moves new connections to the given engine now, bypassing the controller's thresholds and cooldown. */
    FORCE_SWITCH("force-switch", "forceSwitch") {
        @Override
        public ModelNode execute(ExpressionResolver resolver, ModelNode operation, XnioWorker worker) throws OperationFailedException {
            String target = Parameters.TO.resolveModelAttribute(resolver, operation).asString();
            return AdaptiveWorkerMBean.invoke(worker, this.getName(), this.mbeanOperation, new Object[] { target }, new String[] { String.class.getName() });
        }
    },
    /** Stops the controller from switching engines until {@code unfreeze}. */
    FREEZE("freeze", "freeze"),
    UNFREEZE("unfreeze", "unfreeze"),
    ;

    /** Parameters live outside the enum: enum constants are built before the enum's own static fields. */
    static final class Parameters {
        static final AttributeDefinition TO = new SimpleAttributeDefinitionBuilder("to", ModelType.STRING)
                .setRequired(true)
                .setValidator(new StringAllowedValuesValidator(Engine.EPOLL.providerName(), Engine.IO_URING.providerName()))
                .build();
    }

    final String mbeanOperation;
    private final OperationDefinition definition;

    WorkerOperation(String name, String mbeanOperation) {
        this.mbeanOperation = mbeanOperation;
        SimpleOperationDefinitionBuilder builder = new SimpleOperationDefinitionBuilder(name, WorkerResourceRegistrar.RESOLVER)
                .setRuntimeOnly()
                .setReplyType(ModelType.LIST)
                .setReplyValueType(ModelType.STRING);
        if ("force-switch".equals(name)) {
            builder.setParameters(Parameters.TO);
        }
        this.definition = builder.build();
    }

    @Override
    public OperationDefinition getOperationDefinition() {
        return this.definition;
    }

    @Override
    public ModelNode execute(ExpressionResolver resolver, ModelNode operation, XnioWorker worker) throws OperationFailedException {
        return AdaptiveWorkerMBean.invoke(worker, this.getName(), this.mbeanOperation, new Object[0], new String[0]);
    }
}
