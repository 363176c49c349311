package dev.adaptiveio.wildfly;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.management.AttributeNotFoundException;
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
 * The subsystem's side of the adaptive provider's JMX contract (adaptive-selector), two kinds of MXBean in the platform
 * MBeanServer:
 * <pre>
 *   dev.adaptiveio:type=AdaptiveWorker,name=&lt;worker&gt;                    one per adaptive worker (AdaptiveWorkerMXBean)
 *     ActiveEngine ("mixed" if listeners differ), IoUringTier, EpollConnections, IoUringConnections, Switches,
 *     SwitchesByReason, Transplants, TransplantsByReason, Frozen; forceSwitch(String), freeze(), unfreeze()
 *   dev.adaptiveio:type=Listener,worker=&lt;worker&gt;,listener=&lt;host:port&gt;   one per adaptive listener (AdaptiveListenerMXBean)
 *     the same per listener, plus EpollAccepts, IoUringAccepts, RejectedSwitches, RejectedSwitchesByReason, ...
 * </pre>
 * (names quoted with {@link ObjectName#quote} only where JMX needs it). A worker metric reads the worker MXBean and,
 * for attributes it does not have, adds up the worker's listener MXBeans (sums, merged reason maps, booleans or-ed,
 * differing strings "mixed"). A worker operation goes to the worker MXBean, or to each listener MXBean without one; on
 * a worker with no listener it fails (ADIOWF0014).
 * The subsystem talks to the beans by name through JMX only, so neither module depends on the other's classes.
 */
public final class AdaptiveWorkerMBean {

    public static final String DOMAIN = "dev.adaptiveio";
    public static final String TYPE = "Listener";
    public static final String WORKER_TYPE = "AdaptiveWorker";

    private AdaptiveWorkerMBean() {
    }

    /** The worker-level MXBean of an adaptive worker. */
    public static ObjectName worker(String workerName) {
        try {
            return new ObjectName(DOMAIN + ":type=" + WORKER_TYPE + ",name=" + value(workerName));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Pattern matching the MXBeans of all listeners of a worker. */
    public static ObjectName listenersOf(String workerName) {
        try {
            return new ObjectName(DOMAIN + ":type=" + TYPE + ",worker=" + value(workerName) + ",*");
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The MXBean name of one listener, as the adaptive provider registers it. */
    public static ObjectName listener(String workerName, String listener) {
        try {
            return new ObjectName(DOMAIN + ":type=" + TYPE + ",worker=" + value(workerName) + ",listener=" + value(listener));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Same quoting rule as the provider: quote only values JMX cannot take as they are. */
    private static String value(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\\' || c == '\n') {
                return ObjectName.quote(text);
            }
        }
        return text.isEmpty() ? ObjectName.quote(text) : text;
    }

    static MBeanServer server() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    static List<ObjectName> listenerBeans(String workerName) {
        return new ArrayList<>(new TreeSet<>(server().queryNames(listenersOf(workerName), null)));
    }

    /**
     * A worker-level value of an attribute of its listeners' MXBeans: numbers summed, reason maps merged, booleans
     * or-ed, strings listed once each (comma-separated). Undefined when the worker has no adaptive listener.
     */
    static ModelNode readAttribute(XnioWorker worker, String attribute) throws OperationFailedException {
        return readAttribute(worker.getName(), attribute);
    }

    static ModelNode readAttribute(String workerName, String attribute) throws OperationFailedException {
        try {
            return toModelNode(server().getAttribute(worker(workerName), attribute));
        } catch (InstanceNotFoundException | AttributeNotFoundException e) {
            // No worker MXBean, or one without this attribute: add up the listeners.
        } catch (JMException | JMRuntimeException e) {
            throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed("read " + attribute, workerName, reason(e));
        }
        List<ModelNode> values = new ArrayList<>();
        for (ObjectName name : listenerBeans(workerName)) {
            try {
                values.add(toModelNode(server().getAttribute(name, attribute)));
            } catch (InstanceNotFoundException | AttributeNotFoundException e) {
                // Listener closed meanwhile, or a provider without this attribute (e.g. no transplant yet).
            } catch (JMException | JMRuntimeException e) {
                throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed("read " + attribute, workerName, reason(e));
            }
        }
        return aggregate(values);
    }

    /** An attribute of each listener MXBean of a worker, keyed by listener ({@code host:port}); undefined without listeners. */
    static ModelNode readPerListener(String workerName, String attribute) throws OperationFailedException {
        ModelNode result = new ModelNode();
        for (ObjectName name : listenerBeans(workerName)) {
            try {
                ModelNode value = toModelNode(server().getAttribute(name, attribute));
                result.get(listenerName(name)).set(value);
            } catch (InstanceNotFoundException | AttributeNotFoundException e) {
                // Listener closed meanwhile.
            } catch (JMException | JMRuntimeException e) {
                throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed("read " + attribute, workerName, reason(e));
            }
        }
        return result;
    }

    static ModelNode aggregate(List<ModelNode> values) {
        ModelNode result = new ModelNode();
        Set<String> strings = new TreeSet<>();
        for (ModelNode value : values) {
            switch (value.getType()) {
                case INT:
                case LONG:
                    result.set((result.isDefined() ? result.asLong() : 0L) + value.asLong());
                    break;
                case BOOLEAN:
                    result.set((result.isDefined() && result.asBoolean()) || value.asBoolean());
                    break;
                case OBJECT:
                    if (!result.isDefined()) {
                        result.setEmptyObject();
                    }
                    for (String key : value.keys()) {
                        ModelNode sum = result.get(key);
                        sum.set((sum.isDefined() ? sum.asLong() : 0L) + value.get(key).asLong());
                    }
                    break;
                case UNDEFINED:
                    break;
                default:
                    strings.add(value.asString());
            }
        }
        if (!strings.isEmpty()) {
            // Same word as the provider's worker MXBean when its listeners disagree.
            result.set((strings.size() == 1) ? strings.iterator().next() : "mixed");
        }
        return result;
    }

    /** Invokes an operation on every listener MXBean of an adaptive worker, failing clearly for other engines. */
    static ModelNode invoke(XnioWorker worker, String managementOperation, String mbeanOperation, Object[] args, String[] signature)
            throws OperationFailedException {
        return invoke(worker.getName(), worker.getXnio().getName(), managementOperation, mbeanOperation, args, signature);
    }

    /** @return the listeners the operation was applied to */
    static ModelNode invoke(String workerName, String engine, String managementOperation, String mbeanOperation, Object[] args, String[] signature)
            throws OperationFailedException {
        if (!Engine.ADAPTIVE.providerName().equals(engine)) {
            throw AdaptiveIoLogger.ROOT_LOGGER.notAdaptive(managementOperation, workerName, engine);
        }
        List<ObjectName> names = listenerBeans(workerName);
        if (names.isEmpty()) {
            // Without a listener there is nothing to switch or freeze, and a worker-level freeze is not carried over
            // to listeners added later: say so rather than answer success with an empty list.
            throw AdaptiveIoLogger.ROOT_LOGGER.noAdaptiveListener(managementOperation, workerName, listenersOf(workerName).toString());
        }
        ModelNode applied = new ModelNode().setEmptyList();
        for (ObjectName name : names) {
            applied.add(listenerName(name));
        }
        try {
            server().invoke(worker(workerName), mbeanOperation, args, signature);
            return applied;
        } catch (InstanceNotFoundException e) {
            // No worker MXBean: go to the listeners one by one.
        } catch (JMException | JMRuntimeException e) {
            throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed(managementOperation, workerName, reason(e));
        }
        applied = new ModelNode().setEmptyList();
        for (ObjectName name : names) {
            try {
                server().invoke(name, mbeanOperation, args, signature);
                applied.add(listenerName(name));
            } catch (InstanceNotFoundException e) {
                // The listener closed between query and invoke: nothing left to switch.
            } catch (JMException | JMRuntimeException e) {
                // The MXBean's own exception (e.g. IllegalStateException: io_uring cannot take over) is the useful part.
                throw AdaptiveIoLogger.ROOT_LOGGER.adaptiveOperationFailed(managementOperation, workerName, reason(e));
            }
        }
        return applied;
    }

    /** The {@code host:port} of a listener MXBean, unquoted. */
    static String listenerName(ObjectName name) {
        String value = name.getKeyProperty("listener");
        return (value != null && value.startsWith("\"")) ? ObjectName.unquote(value) : String.valueOf(value);
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
