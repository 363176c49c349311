package dev.adaptiveio.wildfly;

import org.jboss.as.controller.AttributeDefinition;
import org.jboss.as.controller.OperationFailedException;
import org.jboss.as.controller.SimpleAttributeDefinitionBuilder;
import org.jboss.as.controller.SimpleMapAttributeDefinition;
import org.jboss.dmr.ModelNode;
import org.jboss.dmr.ModelType;
import org.wildfly.subsystem.resource.executor.Metric;
import org.xnio.XnioWorker;
import org.xnio.management.XnioServerMXBean;
import org.xnio.management.XnioWorkerMXBean;

/**
 * Storage-runtime metrics of a running worker. The first group comes from XNIO's own
 * {@link XnioWorkerMXBean}, which every provider implements; the adaptive group reads the adaptive
 * provider's MXBean ({@link AdaptiveWorkerMBean}) and is undefined on workers that do not publish one.
 */
public enum WorkerMetric implements Metric<XnioWorker> {
    RUNNING_ENGINE("running-engine", ModelType.STRING) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getXnio().getName());
        }
    },
    IO_THREAD_COUNT("io-thread-count", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getMXBean().getIoThreadCount());
        }
    },
    BUSY_TASK_THREAD_COUNT("busy-task-thread-count", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getMXBean().getBusyWorkerThreadCount());
        }
    },
    CORE_POOL_SIZE("core-pool-size", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getMXBean().getCoreWorkerPoolSize());
        }
    },
    MAX_POOL_SIZE("max-pool-size", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getMXBean().getMaxWorkerPoolSize());
        }
    },
    QUEUE_SIZE("queue-size", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            return new ModelNode(worker.getMXBean().getWorkerQueueSize());
        }
    },
    /** Open connections accepted by all listeners (XNIO servers) running on this worker. */
    CONNECTION_COUNT("connection-count", ModelType.INT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            int connections = 0;
            for (XnioServerMXBean server : worker.getMXBean().getServerMXBeans()) {
                connections += server.getConnectionCount();
            }
            return new ModelNode(connections);
        }
    },
    /** Open connections per listener ({@code host:port}) on this worker. */
    LISTENER_CONNECTIONS("listener-connections", ModelType.OBJECT) {
        @Override
        public ModelNode execute(XnioWorker worker) {
            ModelNode result = new ModelNode().setEmptyObject();
            for (XnioServerMXBean server : worker.getMXBean().getServerMXBeans()) {
                ModelNode count = result.get(hostAndPort(server.getBindAddress()));
                count.set((count.isDefined() ? count.asLong() : 0L) + server.getConnectionCount());
            }
            return result;
        }
    },
    /** Adaptive engine: the engine taking new connections, per listener ({@code host:port}). */
    LISTENER_ENGINES("listener-engines", ModelType.OBJECT, ModelType.STRING, null) {
        @Override
        public ModelNode execute(XnioWorker worker) throws OperationFailedException {
            return AdaptiveWorkerMBean.readPerListener(worker.getName(), "ActiveEngine");
        }
    },
    // Adaptive engine: aggregated over the worker's listeners (see AdaptiveWorkerMBean).
    ACTIVE_ENGINE("active-engine", ModelType.STRING, "ActiveEngine"),
    IO_URING_TIER("io-uring-tier", ModelType.STRING, "IoUringTier"),
    EPOLL_CONNECTIONS("epoll-connections", ModelType.LONG, "EpollConnections"),
    IO_URING_CONNECTIONS("io-uring-connections", ModelType.LONG, "IoUringConnections"),
    EPOLL_ACCEPTS("epoll-accepts", ModelType.LONG, "EpollAccepts"),
    IO_URING_ACCEPTS("io-uring-accepts", ModelType.LONG, "IoUringAccepts"),
    SWITCHES("switches", ModelType.LONG, "Switches"),
    SWITCHES_BY_REASON("switches-by-reason", ModelType.OBJECT, "SwitchesByReason"),
    REJECTED_SWITCHES("rejected-switches", ModelType.LONG, "RejectedSwitches"),
    REJECTED_SWITCHES_BY_REASON("rejected-switches-by-reason", ModelType.OBJECT, "RejectedSwitchesByReason"),
    TRANSPLANTS("transplants", ModelType.LONG, "Transplants"),
    TRANSPLANTS_BY_REASON("transplants-by-reason", ModelType.OBJECT, "TransplantsByReason"),
    FROZEN("frozen", ModelType.BOOLEAN, "Frozen"),
    ;

    private final AttributeDefinition definition;
    private final String adaptiveAttribute;

    WorkerMetric(String name, ModelType type) {
        this(name, type, null);
    }

    WorkerMetric(String name, ModelType type, String adaptiveAttribute) {
        this(name, type, ModelType.LONG, adaptiveAttribute);
    }

    /** @param valueType the value type of an OBJECT metric (a map keyed by reason or listener) */
    WorkerMetric(String name, ModelType type, ModelType valueType, String adaptiveAttribute) {
        this.definition = (type == ModelType.OBJECT)
                ? new SimpleMapAttributeDefinition.Builder(name, valueType, true).setStorageRuntime().build()
                : new SimpleAttributeDefinitionBuilder(name, type).setRequired(false).setStorageRuntime().build();
        this.adaptiveAttribute = adaptiveAttribute;
    }

    @Override
    public AttributeDefinition get() {
        return this.definition;
    }

    /** The adaptive MXBean attribute this metric reads, or null for metrics every engine has. */
    String adaptiveAttribute() {
        return this.adaptiveAttribute;
    }

    /** XNIO servers report {@code InetSocketAddress.toString()}, e.g. {@code /127.0.0.1:8080}; listeners are named {@code host:port}. */
    static String hostAndPort(String bindAddress) {
        return bindAddress.substring(bindAddress.lastIndexOf('/') + 1);
    }

    @Override
    public ModelNode execute(XnioWorker worker) throws OperationFailedException {
        // Only the adaptive metrics reach this default: the others override it.
        return AdaptiveWorkerMBean.readAttribute(worker, this.adaptiveAttribute);
    }
}
