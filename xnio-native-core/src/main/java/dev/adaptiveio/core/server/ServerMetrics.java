package dev.adaptiveio.core.server;

import org.xnio.XnioWorker;
import org.xnio.management.XnioServerMXBean;

/** XNIO's per-server MXBean for a {@link NativeTcpServer}, read live. */
final class ServerMetrics implements XnioServerMXBean {

    private final XnioWorker worker;
    private final NativeTcpServer server;
    private final ConnectionLimits limits;

    ServerMetrics(XnioWorker worker, NativeTcpServer server, ConnectionLimits limits) {
        this.worker = worker;
        this.server = server;
        this.limits = limits;
    }

    @Override
    public String getProviderName() {
        return worker.getXnio().getName();
    }

    @Override
    public String getWorkerName() {
        return worker.getName();
    }

    @Override
    public String getBindAddress() {
        return String.valueOf(server.getLocalAddress());
    }

    @Override
    public int getConnectionCount() {
        return limits.openConnections();
    }

    @Override
    public int getConnectionLimitHighWater() {
        return limits.highWater();
    }

    @Override
    public int getConnectionLimitLowWater() {
        return limits.lowWater();
    }
}
