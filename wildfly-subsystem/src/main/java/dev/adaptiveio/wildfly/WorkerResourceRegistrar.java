package dev.adaptiveio.wildfly;

import static org.jboss.as.controller.descriptions.ModelDescriptionConstants.ADD;
import static org.jboss.as.controller.descriptions.ModelDescriptionConstants.UNDEFINE_ATTRIBUTE_OPERATION;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.jboss.as.controller.AttributeDefinition;
import org.jboss.as.controller.OperationContext;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.as.controller.OperationStepHandler;
import org.jboss.as.controller.PathAddress;
import org.jboss.as.controller.PathElement;
import org.jboss.as.controller.ResourceDefinition;
import org.jboss.as.controller.ResourceRegistration;
import org.jboss.as.controller.access.Action;
import org.jboss.as.controller.access.AuthorizationResult;
import org.jboss.as.controller.capability.RuntimeCapability;
import org.jboss.as.controller.descriptions.ParentResourceDescriptionResolver;
import org.jboss.as.controller.logging.ControllerLogger;
import org.jboss.as.controller.operations.global.WriteAttributeHandler;
import org.jboss.as.controller.registry.ManagementResourceRegistration;
import org.jboss.as.controller.registry.Resource;
import org.jboss.dmr.ModelNode;
import org.wildfly.io.IOServiceDescriptor;
import org.wildfly.service.Installer.StartWhen;
import org.wildfly.subsystem.resource.ChildResourceDefinitionRegistrar;
import org.wildfly.subsystem.resource.ManagementResourceRegistrar;
import org.wildfly.subsystem.resource.ManagementResourceRegistrationContext;
import org.wildfly.subsystem.resource.ResourceDescriptor;
import org.wildfly.subsystem.resource.executor.MetricOperationStepHandler;
import org.wildfly.subsystem.resource.executor.RuntimeOperationStepHandler;
import org.wildfly.subsystem.resource.operation.ResourceOperationRuntimeHandler;
import org.wildfly.subsystem.service.ResourceServiceConfigurator;
import org.wildfly.subsystem.service.ResourceServiceInstaller;
import org.wildfly.subsystem.service.capability.CapabilityServiceInstaller;
import org.xnio.XnioWorker;

import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * {@code /subsystem=adaptive-io/worker=*}: one XNIO worker on a chosen engine, offered to Undertow listeners as
 * capability {@code org.wildfly.io.worker.<name>} (the same capability WildFly's io subsystem provides, so a
 * listener's {@code worker} attribute can name it).
 */
final class WorkerResourceRegistrar implements ChildResourceDefinitionRegistrar, ResourceServiceConfigurator {

    static final PathElement PATH = PathElement.pathElement("worker");
    static final ParentResourceDescriptionResolver RESOLVER = AdaptiveIoSubsystemRegistrar.RESOLVER.createChildResolver(PATH);

    static final RuntimeCapability<Void> CAPABILITY = RuntimeCapability.Builder.of(IOServiceDescriptor.NAMED_WORKER).build();

    private final RunningWorkers runningWorkers = new RunningWorkers();

    @Override
    public ManagementResourceRegistration register(ManagementResourceRegistration parent, ManagementResourceRegistrationContext context) {
        ManagementResourceRegistration registration = parent.registerSubModel(ResourceDefinition.builder(ResourceRegistration.of(PATH), RESOLVER).build());

        // Single-attribute validators cannot see the other attributes: check the whole worker model after add,
        // write-attribute and undefine-attribute. (A custom write handler per attribute would not do: the add
        // operation turns custom-handled attributes into separate write-attribute steps, which demand a reload.)
        UnaryOperator<OperationStepHandler> validating = handler -> (operationContext, operation) -> {
            handler.execute(operationContext, operation);
            operationContext.addStep(WorkerResourceRegistrar::validateModel, OperationContext.Stage.MODEL);
        };
        ResourceDescriptor descriptor = ResourceDescriptor.builder(RESOLVER)
                .addAttributes(WorkerAttributes.ALL)
                .addCapability(CAPABILITY)
                .withRuntimeHandler(ResourceOperationRuntimeHandler.configureService(this))
                .withOperationTransformation(Set.of(ADD, UNDEFINE_ATTRIBUTE_OPERATION), validating)
                .build();
        ManagementResourceRegistrar.of(descriptor).register(registration);
        registration.registerOperationHandler(WriteAttributeHandler.DEFINITION, validating.apply(WriteAttributeHandler.INSTANCE));

        if (context.isRuntimeOnlyRegistrationValid()) {
            new MetricOperationStepHandler<>(this.runningWorkers, WorkerMetric.class).register(registration);
            RuntimeOperationStepHandler<XnioWorker> runtimeOperations = new RuntimeOperationStepHandler<>(this.runningWorkers, WorkerOperation.class);
            for (WorkerOperation operation : WorkerOperation.values()) {
                registration.registerOperationHandler(operation.getOperationDefinition(),
                        (operationContext, op) -> checkThenRun(operation, operationContext, op, runtimeOperations));
            }
        }
        return registration;
    }

    @Override
    public ResourceServiceInstaller configure(OperationContext context, ModelNode model) throws OperationFailedException {
        String name = context.getCurrentAddressValue();
        WorkerConfiguration config = WorkerConfiguration.resolve(context, name, model);
        CapabilityServiceInstaller worker = CapabilityServiceInstaller.builder(CAPABILITY, new WorkerFactory(config, WorkerFactory.class.getClassLoader()))
                .blocking()
                .onStop(WorkerFactory::stop)
                // Start with the resource, not on first use: a worker whose engine cannot load fails its add
                // operation (or the boot) with a clear message instead of failing a listener later.
                .startWhen(StartWhen.INSTALLED)
                .build();
        return ResourceServiceInstaller.combine(worker, this.runningWorkers.registry().capture(RunningWorkers.dependency(name)));
    }

    private static void validateModel(OperationContext context, ModelNode operation) throws OperationFailedException {
        Resource resource = context.readResource(PathAddress.EMPTY_ADDRESS, false);
        WorkerConfiguration.resolve(context, context.getCurrentAddressValue(), resource.getModel());
    }

    /**
     * A worker operation after two model-stage checks. It changes what the server does, so WildFly's access control
     * must see it as a runtime write (Operator and above), not as the read its steps would otherwise look like. A
     * wrong parameter, a non-adaptive worker or one without a listener is refused here, so a user's mistake gets its answer without an ERROR
     * line in server.log (WildFly logs runtime-stage failures at ERROR).
     */
    private static void checkThenRun(WorkerOperation operation, OperationContext context, ModelNode op,
            RuntimeOperationStepHandler<XnioWorker> runtimeOperations) throws OperationFailedException {
        AuthorizationResult authorization = context.authorize(op, EnumSet.of(Action.ActionEffect.WRITE_RUNTIME));
        if (authorization.getDecision() == AuthorizationResult.Decision.DENY) {
            throw ControllerLogger.ACCESS_LOGGER.unauthorized(operation.getName(), context.getCurrentAddress(),
                    authorization.getExplanation());
        }
        for (AttributeDefinition parameter : operation.getOperationDefinition().getParameters()) {
            parameter.validateOperation(op);
        }
        ModelNode model = context.readResource(PathAddress.EMPTY_ADDRESS, false).getModel();
        String engine = WorkerAttributes.ENGINE.resolveModelAttribute(context, model).asString();
        if (!Engine.ADAPTIVE.providerName().equals(engine)) {
            throw AdaptiveIoLogger.ROOT_LOGGER.notAdaptive(operation.getName(), context.getCurrentAddressValue(), engine);
        }
        String worker = context.getCurrentAddressValue();
        if (AdaptiveWorkerMBean.listenerBeans(worker).isEmpty()) {
            throw AdaptiveIoLogger.ROOT_LOGGER.noAdaptiveListener(operation.getName(), worker, AdaptiveWorkerMBean.listenersOf(worker).toString());
        }
        runtimeOperations.execute(context, op);
    }
}
