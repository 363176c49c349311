package dev.adaptiveio.wildfly;

import java.lang.management.ManagementFactory;
import java.util.Map;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.JMRuntimeException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.jboss.as.controller.OperationFailedException;
import org.jboss.dmr.ModelNode;
import org.xnio.XnioWorker;

import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * The subsystem's side of the contract with the adaptive provider, which publishes one MXBean per
 * adaptive worker in the platform MBeanServer:
 * <pre>
 *   dev.adaptiveio:type=AdaptiveWorker,name=&lt;worker name&gt;   (name quoted with ObjectName.quote only if it needs it)
 *   attributes  ActiveEngine (String: epoll | io_uring), EpollConnections (long), IoUringConnections (long),
 *               Switches (long), SwitchesByReason (Map&lt;String,Long&gt;), Transplants (long),
 *               TransplantsByReason (Map&lt;String,Long&gt;), IoUringTier (String), Frozen (boolean)
 *   operations  forceSwitch(String engine), freeze(), unfreeze()
 * </pre>
 * The subsystem talks to it by name through JMX only, so neither module depends on the other's classes.
 */
public final class AdaptiveWorkerMBean {

    public static final String DOMAIN = "dev.adaptiveio";
    public static final String TYPE = "AdaptiveWorker";

    private AdaptiveWorkerMBean() {
    }

    public static ObjectName objectName(String workerName) {
        try {
            return new ObjectName(DOMAIN + ":type=" + TYPE + ",name=" + workerName);
        } catch (MalformedObjectNameException e) {
            try {
                return new ObjectName(DOMAIN + ":type=" + TYPE + ",name=" + ObjectName.quote(workerName));
            } catch (MalformedObjectNameException impossible) {
                throw new IllegalArgumentException(impossible);
            }
        }
    }

    static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    /** An attribute of the worker's MXBean as a DMR value, or undefined when the worker publishes no MXBean. */
    static ModelNode readAttribute(XnioWorker worker, String attribute) throws OperationFailedException {
        ObjectName name = objectName(worker.getName());
        try {
            return toModelNode(server().getAttribute(name, attribute));
        } catch (InstanceNotFoundException e) {
            return new ModelNode();
        } catch (JMException | JMRuntimeException e) {
            throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed("read " + attribute, worker.getName(), reason(e));
        }
    }

    /** Invokes an operation on an adaptive worker's MXBean, failing clearly for other engines or a missing MXBean. */
    static ModelNode invoke(XnioWorker worker, String managementOperation, String mbeanOperation, Object[] args, String[] signature)
            throws OperationFailedException {
        return invoke(worker.getName(), worker.getXnio().getName(), managementOperation, mbeanOperation, args, signature);
    }

    static ModelNode invoke(String workerName, String engine, String managementOperation, String mbeanOperation, Object[] args, String[] signature)
            throws OperationFailedException {
        if (!Engine.ADAPTIVE.providerName().equals(engine)) {
            throw AdaptiveIoLogger.ROOT_LOGGER.notAdaptive(managementOperation, workerName, engine);
        }
        ObjectName name = objectName(workerName);
        try {
            return toModelNode(server().invoke(name, mbeanOperation, args, signature));
        } catch (InstanceNotFoundException e) {
            throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveMBeanMissing(workerName, name.toString());
        } catch (JMException | JMRuntimeException e) {
            // The MXBean's own exception (e.g. an IllegalArgumentException for a bad engine) is the useful part.
            throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed(managementOperation, workerName, reason(e));
        }
    }

    private static String reason(Exception e) {
        Throwable cause = (e.getCause() != null) ? e.getCause() : e;
        return String.valueOf(cause.getMessage());
    }

    static ModelNode toModelNode(Object value) {
        ModelNode node = new ModelNode();
        if (value == null) {
            return node;
        }
        if (value instanceof Boolean b) {
            return node.set(b);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return node.set(((Number) value).intValue());
        }
        if (value instanceof Long l) {
            return node.set(l);
        }
        if (value instanceof Number n) {
            return node.set(n.doubleValue());
        }
        if (value instanceof TabularData table) {
            // An MXBean Map<K,V> arrives as rows of {key, value}.
            node.setEmptyObject();
            for (Object row : table.values()) {
                CompositeData data = (CompositeData) row;
                node.get(String.valueOf(data.get("key"))).set(toModelNode(data.get("value")));
            }
            return node;
        }
        if (value instanceof Map<?, ?> map) {
            node.setEmptyObject();
            map.forEach((k, v) -> node.get(String.valueOf(k)).set(toModelNode(v)));
            return node;
        }
        return node.set(value.toString());
    }
}
