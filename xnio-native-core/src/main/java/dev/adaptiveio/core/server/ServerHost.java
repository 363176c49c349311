package dev.adaptiveio.core.server;

import org.xnio.ManagementRegistration;
import org.xnio.management.XnioServerMXBean;

/**
 * What a server needs from the worker it runs in, beyond XNIO's {@code XnioWorker}: the worker
 * implements it, so the server does not depend on the worker's class.
 */
public interface ServerHost {

    /** Registers the server's MXBean with the worker's management (unregistered on close). */
    ManagementRegistration registerServer(XnioServerMXBean bean);
}
