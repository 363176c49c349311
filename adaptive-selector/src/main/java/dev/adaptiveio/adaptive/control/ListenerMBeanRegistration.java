package dev.adaptiveio.adaptive.control;

import java.lang.management.ManagementFactory;
import java.util.Objects;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * A listener's MXBean registered in an MBeanServer for as long as this object is open. {@link #close()}
 * unregisters it; it is idempotent and tolerates the MXBean having been unregistered by someone else.
 */
public final class ListenerMBeanRegistration implements AutoCloseable {

    private final MBeanServer server;
    private final ObjectName name;
    private boolean closed;

    private ListenerMBeanRegistration(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /** Registers in the platform MBeanServer. */
    public static ListenerMBeanRegistration register(AdaptiveListenerMXBean bean) {
        return register(ManagementFactory.getPlatformMBeanServer(), bean);
    }

    /**
     * Registers {@code bean} under {@link #objectName objectName(bean.getWorker(), bean.getListener())}.
     *
     * @throws IllegalStateException when that name is already registered (two listeners on one address of one
     *                               worker) or JMX refuses the bean
     */
    public static ListenerMBeanRegistration register(MBeanServer server, AdaptiveListenerMXBean bean) {
        ObjectName name = objectName(bean.getWorker(), bean.getListener());
        try {
            server.registerMBean(bean, name);
        } catch (InstanceAlreadyExistsException e) {
            throw new IllegalStateException("An adaptive listener MXBean is already registered as " + name, e);
        } catch (JMException e) {
            throw new IllegalStateException("Could not register the adaptive listener MXBean " + name + ": " + e, e);
        }
        return new ListenerMBeanRegistration(server, name);
    }

    /**
     * {@code dev.adaptiveio:type=Listener,worker=<worker>,listener=<listener>}; a value JMX cannot take as it is
     * ({@code host:port} always, since JMX reserves {@code :}) is quoted with {@link ObjectName#quote}.
     */
    public static ObjectName objectName(String worker, String listener) {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(listener, "listener");
        try {
            return new ObjectName(AdaptiveListenerMXBean.DOMAIN + ":type=" + AdaptiveListenerMXBean.TYPE
                    + ",worker=" + value(worker) + ",listener=" + value(listener));
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("Cannot name an MXBean for worker " + worker + ", listener " + listener, e);
        }
    }

    private static String value(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\\' || c == '\n') {
                return ObjectName.quote(text);
            }
        }
        return text.isEmpty() ? ObjectName.quote(text) : text;
    }

    public ObjectName name() {
        return name;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone: the goal of close() holds
        } catch (JMException e) {
            throw new IllegalStateException("Could not unregister " + name + ": " + e, e);
        }
    }
}
