package dev.adaptiveio.core.worker;

import java.io.Closeable;

import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.management.XnioServerMXBean;
import org.xnio.management.XnioWorkerMXBean;

/**
 * Access to XNIO's protected MBean registration, so our workers and servers appear under
 * {@code org.xnio} like NIO's do.
 */
final class XnioMBeans extends Xnio {

    private XnioMBeans() {
        super("adaptiveio-mbeans");
    }

    static Closeable registerWorker(XnioWorkerMXBean bean) {
        return Xnio.register(bean);
    }

    static Closeable registerServer(XnioServerMXBean bean) {
        return Xnio.register(bean);
    }

    @Override
    protected XnioWorker build(XnioWorker.Builder builder) {
        throw new UnsupportedOperationException();
    }
}
