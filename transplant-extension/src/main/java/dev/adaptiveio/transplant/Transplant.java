package dev.adaptiveio.transplant;

import java.io.Closeable;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * Moves idle, established HTTP/1 keep-alive connections between I/O threads and engines
 * ({@code epoll}, {@code io_uring}) of the adaptive-io providers.
 * <p>
 * A connection moves only between two requests: at Undertow's request boundary (the
 * {@code resumeReads()} that ends {@code HttpReadListener.exchangeComplete}) or, for a
 * connection that sits idle, from a sweep that checks on its I/O thread that nothing was read
 * since that boundary. The move detaches the fd from its engine (Undertow's per-connection
 * state is cleaned up by its close listeners; the fd stays open), adopts it on the target
 * thread, and hands it to the same listener as a new connection, bytes Undertow had read ahead
 * first. HTTP/2, TLS, upgraded and mid-request connections never move.
 * <p>
 * This class is the manager users hold: its configuration, triggers and sweeps. The work is
 * split: {@link ExchangeHook} (Undertow's side), {@link MoveCoordinator} (the fd's move),
 * {@link MarkRegistry} (marks and tracked connections per thread), {@link TransplantManagement}
 * (the MXBean and the global manager).
 * <p>
 * Off unless enabled ({@link TransplantOptions}). Install it with {@link #handler(HttpHandler)}
 * (builder code), {@link TransplantHandler} (a WildFly {@code custom-filter}) or
 * {@link #wrap(HttpOpenListener)} (a hand-wired listener); trigger moves with
 * {@link #markForMigration}, {@link #sweep()} and {@link #requestMove}.
 */
public final class Transplant implements Closeable {

    private final String name;
    private final TransplantMetrics metrics = new TransplantMetrics();
    private final MarkRegistry<TrackedConnection> registry = new MarkRegistry<>();
    private final MoveCoordinator coordinator = new MoveCoordinator(metrics);
    private final ExchangeHook hook = new ExchangeHook(this, registry, coordinator, metrics);
    private final ConcurrentHashMap<NativeIoThread, AtomicBoolean> sweepPending = new ConcurrentHashMap<>();
    private volatile boolean enabled;
    private volatile int sweepMillis = TransplantOptions.sweepMillis(null);

    /**
     * A manager of its own (tests, several servers with separate metrics), enabled as the
     * environment says. Its MXBean is registered only by {@link TransplantManagement#register}.
     */
    public Transplant(String name) {
        this(name, TransplantOptions.enabledByEnvironment());
    }

    public Transplant(String name, boolean enabled) {
        this.name = name;
        this.enabled = enabled;
        if (enabled) {
            TransplantLogger.LOG.flag("on", name);
        }
    }

    /**
     * The manager used by {@link TransplantHandler}'s public constructor (WildFly), the adaptive
     * provider's listeners and the static helpers (see {@link TransplantManagement#global()}).
     */
    public static Transplant global() {
        return TransplantManagement.global();
    }

    /** Wraps a handler with the boundary hook of the {@link #global()} manager (builder code). */
    public static HttpHandler handler(HttpHandler next) {
        return global().wrapHandler(next);
    }

    /**
     * Installs the boundary hook of the {@link #global()} manager in a hand-wired listener's
     * open listener (wraps its current root handler). Connections of such a listener can also
     * move to the threads of other workers ({@link #addTargetWorker}): the open listener takes
     * them up directly.
     */
    public static HttpOpenListener wrap(HttpOpenListener openListener) {
        return global().wrapOpenListener(openListener);
    }

    public HttpHandler wrapHandler(HttpHandler next) {
        return new TransplantHandler(next, this, null);
    }

    public HttpOpenListener wrapOpenListener(HttpOpenListener openListener) {
        HttpHandler root = openListener.getRootHandler();
        if (!(root instanceof TransplantHandler)) {
            openListener.setRootHandler(new TransplantHandler(root, this, openListener));
        }
        return openListener;
    }

    // =====================================================================================
    // Configuration

    public String name() {
        return name;
    }

    public boolean isEnabled() {
        return enabled;
    }

    /** Turns moving on or off; off, the hook does nothing beyond this flag check per request. */
    public void setEnabled(boolean enabled) {
        if (this.enabled != enabled) {
            this.enabled = enabled;
            TransplantLogger.LOG.flag(enabled ? "on" : "off", name);
        }
    }

    /** Applies {@link TransplantOptions#TRANSPLANT} and {@link TransplantOptions#SWEEP_INTERVAL}. */
    public void configure(OptionMap options) {
        setEnabled(TransplantOptions.enabled(options));
        sweepMillis = TransplantOptions.sweepMillis(options);
    }

    public void setSweepInterval(int millis) {
        sweepMillis = Math.max(10, millis);
    }

    public void setTargetSelector(TargetSelector selector) {
        coordinator.setTargetSelector(selector);
    }

    /**
     * Lets connections of hand-wired listeners ({@link #wrap}) move to the threads of
     * {@code worker} too (e.g. an {@code io_uring} worker next to an {@code epoll} one).
     */
    public void addTargetWorker(XnioWorker worker) {
        if (!(worker instanceof NativeXnioWorker)) {
            throw new IllegalArgumentException("Not a worker of an adaptive-io provider: " + worker);
        }
        coordinator.addTargetWorker((NativeXnioWorker) worker);
    }

    public void removeTargetWorker(XnioWorker worker) {
        coordinator.removeTargetWorker(worker);
    }

    public TransplantMetrics metrics() {
        return metrics;
    }

    /** HTTP/1 connections known between requests (or busy with one). */
    public int trackedConnections() {
        return registry.size();
    }

    Set<NativeXnioWorker> targetWorkers() {
        return coordinator.targetWorkers();
    }

    Set<Thread> threadsServingTracked() {
        return registry.threads();
    }

    // =====================================================================================
    // Triggers

    /**
     * Marks the connections of {@code listener} (the accepting channel Undertow's listener runs
     * on; {@code null}: every listener) for migration to {@code toEngine}: idle ones are swept
     * now and again every sweep interval while some remain, busy ones move at their next
     * request boundary. Replaces an earlier mark of the same listener. The controller calls
     * this when it switches a listener to another engine.
     */
    public Mark markForMigration(Object listener, String toEngine) {
        return markForMigration(listener, Destination.engine(toEngine));
    }

    public Mark markForMigration(Object listener, Destination destination) {
        Mark mark = registry.mark(listener, destination);
        TransplantLogger.LOG.marked(mark.listener(), destination.toString());
        sweep();
        return mark;
    }

    /** Removes the mark of {@code listener} ({@code null}: the mark for all listeners). */
    public void unmark(Object listener) {
        registry.unmark(listener);
    }

    public void clearMarks() {
        registry.clearMarks();
    }

    /**
     * Moves back what the mark of {@code listener} moved: replaces it with a mark for the
     * threads its connections came from.
     *
     * @return the new mark, or {@code null} when the listener had no mark or it moved nothing
     */
    public Mark revert(Object listener) {
        Mark mark = registry.unmark(listener);
        if (mark == null || mark.sources().isEmpty()) {
            return null;
        }
        return markForMigration(listener, Destination.threads(mark.sources()));
    }

    /** Active marks, as {@code listener -> destination}. */
    public Map<String, String> marks() {
        return registry.describeMarks();
    }

    /**
     * Moves every tracked connection that is idle and wanted elsewhere now, on its own I/O
     * thread; threads with wanted connections still busy are swept again after the sweep
     * interval while a mark is active.
     */
    public void sweep() {
        // Threads of workers that have shut down since: forget them.
        sweepPending.keySet().removeIf(t -> !t.isAlive());
        for (Thread thread : registry.threads()) {
            if (thread instanceof NativeIoThread) {
                scheduleSweep((NativeIoThread) thread, 0);
            }
        }
    }

    /**
     * Moves the connection of {@code exchange} to {@code destination} once this exchange is
     * complete (from a handler: tests, operations endpoints).
     */
    public CompletionStage<MoveOutcome> requestMove(HttpServerExchange exchange, Destination destination) {
        String from = engineOf(exchange.getIoThread());
        if (!enabled) {
            return CompletableFuture.completedFuture(MoveOutcome.refused(from, destination.engine(), Refusal.DISABLED));
        }
        TrackedConnection t = hook.track(exchange, null, true);
        if (t == null) {
            Refusal r = ExchangeHook.unmovableReason(exchange);
            metrics.countRefusal(r);
            return CompletableFuture.completedFuture(MoveOutcome.refused(from, destination.engine(), r));
        }
        return t.request(destination);
    }

    /**
     * Moves an idle connection now, or at its next request boundary if it is serving a request.
     * The connection must be one the extension has seen serve a request.
     */
    public CompletionStage<MoveOutcome> requestMove(StreamConnection connection, Destination destination) {
        String from = engineOf(connection.getIoThread());
        if (!enabled) {
            return CompletableFuture.completedFuture(MoveOutcome.refused(from, destination.engine(), Refusal.DISABLED));
        }
        TrackedConnection t = connection instanceof NativeStreamConnection ? registry.tracked(connection) : null;
        if (t == null) {
            Refusal r = connection instanceof NativeStreamConnection ? Refusal.MID_REQUEST : Refusal.NOT_NATIVE;
            metrics.countRefusal(r);
            return CompletableFuture.completedFuture(MoveOutcome.refused(from, destination.engine(), r));
        }
        CompletableFuture<MoveOutcome> f = t.request(destination);
        hook.queueMove(t, destination, ExchangeHook.Trigger.REQUEST);
        return f;
    }

    /** {@link TransplantHandler} calls this for every request while enabled. */
    void exchangeStarted(HttpServerExchange exchange, HttpOpenListener openListener) {
        hook.track(exchange, openListener, false);
    }

    // ---- sweeping

    private void scheduleSweep(NativeIoThread thread, long delayMillis) {
        AtomicBoolean pending = sweepPending.computeIfAbsent(thread, k -> new AtomicBoolean());
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        Runnable task = () -> {
            pending.set(false);
            sweepThread(thread);
        };
        try {
            if (delayMillis <= 0) {
                thread.execute(task);
            } else {
                thread.executeAfter(task, delayMillis, TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException e) {
            pending.set(false);
            sweepPending.remove(thread);
        }
    }

    /** On {@code thread}: visits only its own connections (the registry's per-thread index). */
    private void sweepThread(NativeIoThread thread) {
        if (!enabled) {
            return;
        }
        if (hook.sweep(thread) > 0 && registry.hasMarks()) {
            scheduleSweep(thread, sweepMillis);
        }
    }

    private static String engineOf(XnioIoThread thread) {
        return thread instanceof NativeIoThread ? ((NativeIoThread) thread).engineName() : "nio";
    }

    /**
     * Forgets the marks; connections keep their state. The MXBean is its registration's to
     * close ({@link TransplantManagement}).
     */
    @Override
    public void close() {
        registry.clearMarks();
    }

    @Override
    public String toString() {
        return "Transplant[" + name + (enabled ? ", on" : ", off") + ", " + metrics + "]";
    }

    static Collection<TrackedConnection> trackedOf(Transplant t) {
        return t.registry.all();
    }
}
