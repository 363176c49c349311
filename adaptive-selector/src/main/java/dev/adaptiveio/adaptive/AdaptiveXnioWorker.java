package dev.adaptiveio.adaptive;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import dev.adaptiveio.adaptive.control.AdaptiveSettings;
import dev.adaptiveio.adaptive.control.ConfigSource;
import dev.adaptiveio.adaptive.control.IoUringAvailability;
import dev.adaptiveio.adaptive.control.StartDecision;
import dev.adaptiveio.adaptive.control.StartGates;
import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import dev.adaptiveio.core.natives.uring.UringViability;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.jboss.logging.Logger;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * One XNIO worker over both engines: one task pool, the epoll engine's I/O threads from the
 * start, and io_uring's from the first listener that needs them (a server that never needs
 * io_uring pays nothing for it). Undertow and WildFly see a single worker whatever engine
 * serves a connection.
 * <p>
 * Each TCP listener gets one listening socket, shared by both engines' acceptors, and an
 * {@link AdaptiveListener} that chose its start engine and moves new connections between
 * engines as its load changes.
 */
public final class AdaptiveXnioWorker extends NativeXnioWorker {

    private static final Logger LOG = Logger.getLogger(AdaptiveXnioWorker.class);
    private static final List<AdaptiveListenerExtension> EXTENSIONS = loadExtensions();

    private static List<AdaptiveListenerExtension> loadExtensions() {
        List<AdaptiveListenerExtension> found = new ArrayList<>();
        for (AdaptiveListenerExtension e : ServiceLoader.load(AdaptiveListenerExtension.class,
                AdaptiveXnioWorker.class.getClassLoader())) {
            found.add(e);
        }
        return List.copyOf(found);
    }

    private final OptionMap options;
    private final IoUringAvailability ioUring;
    private final List<AdaptiveListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Engine ioUringEngine;
    private final AdaptiveWorkerBean mbean;

    AdaptiveXnioWorker(Builder builder, Engine epoll, OptionMap options) throws IOException {
        super(builder, epoll, options);
        this.options = options;
        this.ioUring = probeIoUring(threadsPerEngine());
        this.mbean = new AdaptiveWorkerBean(this);
        mbean.register();
    }

    private static IoUringAvailability probeIoUring(int rings) {
        UringViability v = IoUringSupport.viability();
        if (!v.isViable()) {
            return IoUringAvailability.notViable(v.summary());
        }
        IoUringAvailability viable = IoUringAvailability.viable(v.tier().name());
        return LockedMemory.appliesToRings()
                ? viable.withLockedMemory(LockedMemory.limitBytes(), LockedMemory.perRingBytes(), rings)
                : viable;
    }

    /**
     * Lets the transplant extension publish its counts (moves by direction and refusals by
     * reason) on this worker's MXBean.
     */
    public void publishTransplantCounts(Supplier<Map<String, Long>> counts) {
        mbean.transplantCounts(counts);
    }

    @Override
    protected void taskPoolTerminated() {
        mbean.close();
        super.taskPoolTerminated();
    }

    /** What io_uring offers this worker (viable or not, and why). */
    public IoUringAvailability ioUring() {
        return ioUring;
    }

    /** The listeners of this worker, in creation order. */
    public List<AdaptiveListener> listeners() {
        return List.copyOf(listeners);
    }

    @Override
    protected AcceptingChannel<StreamConnection> createTcpConnectionServer(InetSocketAddress bindAddress,
            ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener, OptionMap optionMap)
            throws IOException {
        if (isShutdown()) {
            throw new IOException("Worker " + getName() + " is shut down");
        }
        AdaptiveSettings settings = AdaptiveSettings.resolve(ConfigSource.system(), optionMap, options);
        StartDecision start = StartGates.decide(settings, ioUring);
        NativeTcpServer server = new NativeTcpServer(this, bindAddress, optionMap);
        try {
            server.getAcceptSetter().set(acceptListener);
            server.addAcceptors(ioThreads(engine().id()), t -> engine().newAcceptor(server, t));
            AdaptiveListener listener = new AdaptiveListener(this, server, settings, start);
            listeners.add(listener);
            for (AdaptiveListenerExtension extension : EXTENSIONS) {
                try {
                    extension.listenerCreated(listener);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "Listener extension %s failed on %s", extension, listener.name());
                }
            }
            server.onClose(() -> listeners.remove(listener));
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * The io_uring engine's I/O threads, started on first call.
     *
     * @throws IOException when io_uring cannot run here
     */
    synchronized NativeIoThread[] ioUringThreads() throws IOException {
        if (ioUringEngine == null) {
            if (!ioUring.usable()) {
                throw new IOException("io_uring is not usable: " + ioUring.unusableReason());
            }
            Engine e = AdaptiveXnio.engineOf(EngineId.IO_URING.providerName(), options);
            startEngine(e);
            ioUringEngine = e;
            LOG.infof("Worker %s started its io_uring engine (%d I/O threads, tier %s)", getName(),
                    ioThreads(e.id()).length, ioUring.tier());
        }
        return ioThreads(ioUringEngine.id());
    }

    synchronized Engine ioUringEngine() {
        return ioUringEngine;
    }

    /** I/O threads per engine (both engines run the same number). */
    int threadsPerEngine() {
        return ioThreads(engine().id()).length;
    }
}
