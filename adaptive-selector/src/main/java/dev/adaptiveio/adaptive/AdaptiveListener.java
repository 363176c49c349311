package dev.adaptiveio.adaptive;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import dev.adaptiveio.adaptive.control.AdaptiveListenerBean;
import dev.adaptiveio.adaptive.control.AdaptiveSettings;
import dev.adaptiveio.adaptive.control.ControlLogger;
import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.adaptive.control.EngineSwitch;
import dev.adaptiveio.adaptive.control.ListenerControl;
import dev.adaptiveio.adaptive.control.ListenerController;
import dev.adaptiveio.adaptive.control.ListenerMBeanRegistration;
import dev.adaptiveio.adaptive.control.ListenerMetrics;
import dev.adaptiveio.adaptive.control.NanoClock;
import dev.adaptiveio.adaptive.control.Sample;
import dev.adaptiveio.adaptive.control.StartDecision;
import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.ConnectionObserver;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.server.ServerTraffic;
import org.jboss.logging.Logger;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * One adaptive TCP listener: its shared listening socket, which engine accepts on it, the
 * controller that decides, the samples it decides on, and its metrics and MXBean.
 */
public final class AdaptiveListener implements EngineSwitch {

    private static final Logger LOG = Logger.getLogger(AdaptiveListener.class);

    private final AdaptiveXnioWorker worker;
    private final NativeTcpServer server;
    private final AdaptiveSettings settings;
    private final StartDecision start;
    private final String name;
    private final ListenerMetrics metrics = new ListenerMetrics();
    private final ListenerController controller;
    private final List<BiConsumer<Engine, Engine>> switchListeners = new CopyOnWriteArrayList<>();
    private final XnioExecutor.Key ticker;
    private final ListenerMBeanRegistration mbean;
    private volatile boolean ioUringAcceptors;
    private long lastBytes;
    private long lastExchanges;
    private long lastIoUringErrors;
    private long lastIoUringExchanges;

    AdaptiveListener(AdaptiveXnioWorker worker, NativeTcpServer server, AdaptiveSettings settings,
                     StartDecision start) throws IOException {
        this.worker = worker;
        this.server = server;
        this.settings = settings;
        this.start = start;
        this.name = String.valueOf(server.getLocalAddress()).replaceFirst("^/", "");
        start.log(name);
        server.observe(new ConnectionObserver() {
            @Override
            public void accepted(NativeStreamConnection connection) {
                metrics.recordAccept(Engine.of(connection.nativeIoThread().engineId()));
            }

            @Override
            public void released(NativeStreamConnection connection) {
                metrics.recordClose(Engine.of(connection.nativeIoThread().engineId()));
            }
        });
        this.controller = new ListenerController(name, settings.controller(), start, worker.ioUring(), this,
                metrics, NanoClock.SYSTEM);
        acceptOn(start.engine());
        long tick = settings.controller().tick().toMillis();
        NativeIoThread tickThread = worker.ioThreads(worker.engine().id())[0];
        this.ticker = tickThread.executeAtInterval(this::tick, tick, TimeUnit.MILLISECONDS);
        this.mbean = ListenerMBeanRegistration.register(new AdaptiveListenerBean(worker.getName(), name, metrics, controller));
        server.onClose(this::closed);
    }

    /** The listener's address, as in its MXBean name. */
    public String name() {
        return name;
    }

    public NativeTcpServer server() {
        return server;
    }

    public StartDecision startDecision() {
        return start;
    }

    public AdaptiveSettings settings() {
        return settings;
    }

    public ListenerMetrics metrics() {
        return metrics;
    }

    /** Force a switch, freeze and unfreeze, as the MXBean does. */
    public ListenerControl control() {
        return controller;
    }

    /** The engine accepting this listener's new connections. */
    public Engine activeEngine() {
        return controller.activeEngine();
    }

    /**
     * Told (from, to) after every switch of the accepting engine, on the thread that switched;
     * the transplant extension moves established connections on it.
     */
    public void onSwitch(BiConsumer<Engine, Engine> listener) {
        switchListeners.add(listener);
    }

    /** The adaptive worker this listener belongs to. */
    public AdaptiveXnioWorker worker() {
        return worker;
    }

    // ---- EngineSwitch: carry out the controller's decision

    @Override
    public void acceptOn(Engine target) throws IOException {
        Engine before = server.acceptingEngine() == null ? null : Engine.of(server.acceptingEngine());
        if (target == Engine.IO_URING && !ioUringAcceptors) {
            NativeIoThread[] threads = worker.ioUringThreads();
            dev.adaptiveio.core.worker.Engine engine = worker.ioUringEngine();
            server.addAcceptors(threads, t -> engine.newAcceptor(server, t));
            ioUringAcceptors = true;
        }
        // The listening socket stays open: connections queued in its backlog are accepted by
        // the new engine.
        server.acceptOnly(target.id());
        if (before != null && before != target) {
            LOG.debugf("Listener %s now accepts on %s", name, target.providerName());
            for (BiConsumer<Engine, Engine> l : switchListeners) {
                try {
                    l.accept(before, target);
                } catch (RuntimeException e) {
                    ControlLogger.LOG.switchListenerFailed(name, l.getClass().getName(), before.providerName(), target.providerName(), e);
                }
            }
        }
    }

    // ---- sampling

    private void tick() {
        try {
            controller.tick(sample());
        } catch (RuntimeException e) {
            ControlLogger.LOG.tickFailed(name, controller.activeEngine().providerName(), e);
        }
    }

    /** What the controller's rules read, measured since the previous tick. */
    Sample sample() {
        ServerTraffic.PerEngine epoll = server.traffic().of(Engine.EPOLL.id());
        ServerTraffic.PerEngine uring = server.traffic().of(Engine.IO_URING.id());
        long bytes = epoll.bytesWritten() + uring.bytesWritten();
        long exchanges = epoll.exchanges() + uring.exchanges();
        long dExchanges = exchanges - lastExchanges;
        long averageResponse = dExchanges == 0 ? 0 : (bytes - lastBytes) / dExchanges;
        long uringErrors = uring.errors() - lastIoUringErrors;
        long uringOps = uring.exchanges() - lastIoUringExchanges;
        lastBytes = bytes;
        lastExchanges = exchanges;
        lastIoUringErrors = uring.errors();
        lastIoUringExchanges = uring.exchanges();
        EngineId accepting = server.acceptingEngine();
        Engine active = accepting == null ? controller.activeEngine() : Engine.of(accepting);
        return new Sample(active, worker.threadsPerEngine(), epoll.openConnections(),
                uring.openConnections(), averageResponse, uringErrors, uringOps);
    }

    private void closed() {
        ticker.remove();
        IoUtils.safeClose(mbean);
    }

    @Override
    public String toString() {
        return "adaptive listener " + name + " on " + controller.activeEngine();
    }
}
