package dev.adaptiveio.wildfly;

import java.util.function.Function;

import org.jboss.as.controller.OperationContext;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.wildfly.io.IOServiceDescriptor;
import org.wildfly.service.capture.FunctionExecutor;
import org.wildfly.subsystem.resource.executor.Metric;
import org.wildfly.subsystem.resource.executor.MetricExecutor;
import org.wildfly.subsystem.resource.executor.MetricFunction;
import org.wildfly.subsystem.resource.executor.RuntimeOperation;
import org.wildfly.subsystem.resource.executor.RuntimeOperationExecutor;
import org.wildfly.subsystem.resource.executor.RuntimeOperationFunction;
import org.wildfly.subsystem.service.ServiceDependency;
import org.wildfly.subsystem.service.capture.ServiceValueExecutorRegistry;
import org.xnio.XnioWorker;

import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * The started workers of this subsystem, captured by their services, so metrics and runtime operations run
 * against the live {@link XnioWorker} of the addressed {@code worker=*} resource.
 */
final class RunningWorkers implements MetricExecutor<XnioWorker>, RuntimeOperationExecutor<XnioWorker> {

    private final ServiceValueExecutorRegistry<XnioWorker> registry = ServiceValueExecutorRegistry.newInstance();

    ServiceValueExecutorRegistry<XnioWorker> registry() {
        return this.registry;
    }

    static ServiceDependency<XnioWorker> dependency(String workerName) {
        return ServiceDependency.on(IOServiceDescriptor.NAMED_WORKER, workerName);
    }

    private FunctionExecutor<XnioWorker> executor(OperationContext context) {
        return this.registry.getExecutor(dependency(context.getCurrentAddressValue()));
    }

    /** Undefined when the worker is not running (not started yet, or failed). */
    @Override
    public ModelNode execute(OperationContext context, Metric<XnioWorker> metric) throws OperationFailedException {
        FunctionExecutor<XnioWorker> executor = this.executor(context);
        return (executor != null) ? executor.execute(new MetricFunction<>(Function.identity(), metric)) : null;
    }

    @Override
    public ModelNode execute(OperationContext context, ModelNode operation, RuntimeOperation<XnioWorker> executable) throws OperationFailedException {
        FunctionExecutor<XnioWorker> executor = this.executor(context);
        ModelNode result = (executor != null) ? executor.execute(new RuntimeOperationFunction<>(context, operation, Function.identity(), executable)) : null;
        if (result == null) {
            throw AdaptiveIoLogger.ROOT_LOGGER.workerNotRunning(context.getCurrentAddressValue());
        }
        return result;
    }
}
