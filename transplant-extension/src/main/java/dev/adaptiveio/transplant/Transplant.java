package dev.adaptiveio.transplant;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.server.protocol.http.PipeliningBufferingStreamSinkConduit;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ImmediatePooledByteBuffer;
import org.xnio.IoUtils;
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
 * Off unless enabled ({@link TransplantOptions}). Install it with {@link #handler(HttpHandler)}
 * (builder code), {@link TransplantHandler} (a WildFly {@code custom-filter}) or
 * {@link #wrap(HttpOpenListener)} (a hand-wired listener); trigger moves with
 * {@link #markForMigration}, {@link #sweep()} and {@link #requestMove}.
 */
public final class Transplant implements Closeable {

    /** What started a move attempt. */
    enum Trigger { BOUNDARY, SWEEP, REQUEST }

    /** The key of a mark that applies to every listener. */
    private static final Object ALL = new Object() {
        @Override
        public String toString() {
            return "all listeners";
        }
    };

    private static final AttachmentKey<TrackedConnection> TRACKED = AttachmentKey.create(TrackedConnection.class);
    private static final AttachmentKey<Boolean> UNMOVABLE_COUNTED = AttachmentKey.create(Boolean.class);

    private static final Transplant GLOBAL = new Transplant("default", TransplantOptions.enabledByEnvironment());

    private final String name;
    private final TransplantMetrics metrics = new TransplantMetrics();
    private final ConcurrentHashMap<NativeStreamConnection, TrackedConnection> tracked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Object, Mark> marks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NativeIoThread, AtomicBoolean> sweepPending = new ConcurrentHashMap<>();
    private final Set<NativeXnioWorker> targetWorkers = new CopyOnWriteArraySet<>();
    private final ObjectName objectName;
    private volatile boolean enabled;
    private volatile TargetSelector selector = TargetSelector.leastLoaded();
    private volatile int sweepMillis = TransplantOptions.sweepMillis(null);

    /**
     * A manager of its own (tests, several servers with separate metrics), registered as
     * {@code dev.adaptiveio:type=Transplant,name=<name>}. Enabled as the environment says.
     */
    public Transplant(String name) {
        this(name, TransplantOptions.enabledByEnvironment());
    }

    public Transplant(String name, boolean enabled) {
        this.name = name;
        this.enabled = enabled;
        this.objectName = register(name);
        if (enabled) {
            TransplantLogger.LOG.flag("on", name);
        }
    }

    /** The manager used by {@link TransplantHandler}'s public constructor (WildFly) and the static helpers. */
    public static Transplant global() {
        return GLOBAL;
    }

    /** Wraps a handler with the boundary hook of the {@link #global()} manager (builder code). */
    public static HttpHandler handler(HttpHandler next) {
        return GLOBAL.wrapHandler(next);
    }

    /**
     * Installs the boundary hook of the {@link #global()} manager in a hand-wired listener's
     * open listener (wraps its current root handler). Connections of such a listener can also
     * move to the threads of other workers ({@link #addTargetWorker}): the open listener takes
     * them up directly.
     */
    public static HttpOpenListener wrap(HttpOpenListener openListener) {
        return GLOBAL.wrapOpenListener(openListener);
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
        this.selector = selector == null ? TargetSelector.leastLoaded() : selector;
    }

    /**
     * Lets connections of hand-wired listeners ({@link #wrap}) move to the threads of
     * {@code worker} too (e.g. an {@code io_uring} worker next to an {@code epoll} one).
     */
    public void addTargetWorker(XnioWorker worker) {
        if (!(worker instanceof NativeXnioWorker)) {
            throw new IllegalArgumentException("Not a worker of an adaptive-io provider: " + worker);
        }
        targetWorkers.add((NativeXnioWorker) worker);
    }

    public void removeTargetWorker(XnioWorker worker) {
        targetWorkers.remove(worker);
    }

    public TransplantMetrics metrics() {
        return metrics;
    }

    /** HTTP/1 connections known between requests (or busy with one). */
    public int trackedConnections() {
        return tracked.size();
    }

    // =====================================================================================
    // Triggers

    /** A standing wish: connections of one listener (or all) belong on a destination. */
    public static final class Mark {
        private final Object listener;
        private final Destination destination;
        private final Set<NativeIoThread> sources = ConcurrentHashMap.newKeySet();

        Mark(Object listener, Destination destination) {
            this.listener = listener;
            this.destination = destination;
        }

        public Destination destination() {
            return destination;
        }

        /** The threads connections were moved away from under this mark. */
        public Set<NativeIoThread> sources() {
            return Set.copyOf(sources);
        }

        @Override
        public String toString() {
            return listener + " -> " + destination;
        }
    }

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
        Mark mark = new Mark(listener == null ? ALL : listener, destination);
        marks.put(mark.listener, mark);
        TransplantLogger.LOG.marked(mark.listener, destination.toString());
        sweep();
        return mark;
    }

    /** Removes the mark of {@code listener} ({@code null}: the mark for all listeners). */
    public void unmark(Object listener) {
        marks.remove(listener == null ? ALL : listener);
    }

    public void clearMarks() {
        marks.clear();
    }

    /**
     * Moves back what the mark of {@code listener} moved: replaces it with a mark for the
     * threads its connections came from.
     *
     * @return the new mark, or {@code null} when the listener had no mark or it moved nothing
     */
    public Mark revert(Object listener) {
        Mark mark = marks.remove(listener == null ? ALL : listener);
        if (mark == null || mark.sources.isEmpty()) {
            return null;
        }
        return markForMigration(listener, Destination.threads(mark.sources));
    }

    /** Active marks, as {@code listener -> destination}. */
    public Map<String, String> marks() {
        Map<String, String> m = new TreeMap<>();
        marks.forEach((k, v) -> m.put(String.valueOf(k), v.destination.toString()));
        return m;
    }

    /**
     * Moves every tracked connection that is idle and wanted elsewhere now, on its own I/O
     * thread; threads with wanted connections still busy are swept again after the sweep
     * interval while a mark is active.
     */
    public void sweep() {
        // Threads of workers that have shut down since: forget them.
        sweepPending.keySet().removeIf(t -> !t.isAlive());
        Set<NativeIoThread> threads = new LinkedHashSet<>();
        for (TrackedConnection t : tracked.values()) {
            threads.add(t.connection.nativeIoThread());
        }
        for (NativeIoThread thread : threads) {
            scheduleSweep(thread, 0);
        }
    }

    /**
     * Moves the connection of {@code exchange} to {@code destination} once this exchange is
     * complete (from a handler: tests, operations endpoints).
     */
    public CompletionStage<MoveOutcome> requestMove(HttpServerExchange exchange, Destination destination) {
        if (!enabled) {
            return CompletableFuture.completedFuture(MoveOutcome.refused(engineOf(exchange.getIoThread()),
                    destination.engine(), Refusal.DISABLED));
        }
        TrackedConnection t = trackExchange(exchange, null, true);
        String from = engineOf(exchange.getIoThread());
        if (t == null) {
            Refusal r = unmovableReason(exchange);
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
        if (!enabled) {
            return CompletableFuture.completedFuture(MoveOutcome.refused(engineOf(connection.getIoThread()),
                    destination.engine(), Refusal.DISABLED));
        }
        TrackedConnection t = connection instanceof NativeStreamConnection ? tracked.get(connection) : null;
        if (t == null) {
            Refusal r = connection instanceof NativeStreamConnection ? Refusal.MID_REQUEST : Refusal.NOT_NATIVE;
            metrics.countRefusal(r);
            return CompletableFuture.completedFuture(MoveOutcome.refused(engineOf(connection.getIoThread()),
                    destination.engine(), r));
        }
        CompletableFuture<MoveOutcome> f = t.request(destination);
        queueMove(t, destination, Trigger.REQUEST);
        return f;
    }

    // =====================================================================================
    // The hook (TransplantHandler calls this for every request while enabled)

    void exchangeStarted(HttpServerExchange exchange, HttpOpenListener openListener) {
        trackExchange(exchange, openListener, false);
    }

    private TrackedConnection trackExchange(HttpServerExchange exchange, HttpOpenListener openListener,
                                            boolean explicit) {
        ServerConnection sc = exchange.getConnection();
        if (!(sc instanceof HttpServerConnection)) {
            // HTTP/2 (one connection object per stream) or another protocol.
            if (!explicit && wantedElsewhere(exchange.getIoThread(), null)) {
                metrics.countRefusal(Refusal.HTTP2);
            }
            return null;
        }
        HttpServerConnection hc = (HttpServerConnection) sc;
        TrackedConnection t = hc.getAttachment(TRACKED);
        if (t == null) {
            StreamConnection channel = hc.getChannel();
            if (hc.getSslSessionInfo() != null || !(channel instanceof NativeStreamConnection)) {
                if (!explicit && wantedElsewhere(exchange.getIoThread(), null)
                        && hc.getAttachment(UNMOVABLE_COUNTED) == null) {
                    hc.putAttachment(UNMOVABLE_COUNTED, Boolean.TRUE);
                    metrics.countRefusal(hc.getSslSessionInfo() != null ? Refusal.TLS : Refusal.NOT_NATIVE);
                }
                return null;
            }
            NativeStreamConnection nc = (NativeStreamConnection) channel;
            t = tracked.get(nc);
            if (t == null) {
                t = new TrackedConnection(this, nc, nc.acceptedBy(), openListener);
                if (nc.isOpen()) {
                    tracked.put(nc, t);
                }
            }
            hc.putAttachment(TRACKED, t);
        }
        if (t.current != exchange) {
            t.current = exchange;
            t.exchangeStarted(hc);
            exchange.addExchangeCompleteListener(t);
        }
        return t;
    }

    private static Refusal unmovableReason(HttpServerExchange exchange) {
        ServerConnection sc = exchange.getConnection();
        if (!(sc instanceof HttpServerConnection)) {
            return Refusal.HTTP2;
        }
        return sc.getSslSessionInfo() != null ? Refusal.TLS : Refusal.NOT_NATIVE;
    }

    /** Where the connection is wanted, or {@code null} if it is where it belongs. */
    Destination wanted(TrackedConnection t) {
        NativeIoThread here = t.connection.nativeIoThread();
        Destination d = t.requestedDestination();
        if (d == null) {
            Mark m = markFor(t.listener);
            d = m == null ? null : m.destination;
        }
        return d == null || d.accepts(here) ? null : d;
    }

    private Mark markFor(Object listener) {
        if (marks.isEmpty()) {
            return null;
        }
        Mark m = listener == null ? null : marks.get(listener);
        return m != null ? m : marks.get(ALL);
    }

    private boolean wantedElsewhere(XnioIoThread thread, Object listener) {
        if (marks.isEmpty()) {
            return false;
        }
        for (Mark m : marks.values()) {
            if (m.listener == ALL || listener == null || m.listener == listener) {
                if (!(thread instanceof NativeIoThread) || !m.destination.accepts((NativeIoThread) thread)) {
                    return true;
                }
            }
        }
        return false;
    }

    void refuseIfWanted(TrackedConnection t, Refusal reason) {
        Destination d = wanted(t);
        if (d != null) {
            metrics.countRefusal(reason);
            TransplantLogger.LOG.refused(t.connection, reason.metricName());
            t.settle(MoveOutcome.refused(t.engine(), d.engine(), reason));
        }
    }

    void forget(TrackedConnection t) {
        tracked.remove(t.connection, t);
    }

    // =====================================================================================
    // Moving

    void queueMove(TrackedConnection t, Destination destination, Trigger trigger) {
        try {
            t.connection.nativeIoThread().execute(() -> moveIfIdle(t, destination, trigger));
        } catch (RejectedExecutionException e) {
            // the thread is shutting down and closes the connection
        }
    }

    /** On the connection's I/O thread: moves it if it is still idle with nothing read ahead. */
    private void moveIfIdle(TrackedConnection t, Destination destination, Trigger trigger) {
        if (!enabled) {
            return;
        }
        NativeStreamConnection c = t.connection;
        String from = c.engineName();
        if (destination.accepts(c.nativeIoThread())) {
            t.settle(MoveOutcome.stayed(from, destination.engine()));
            return;
        }
        int s = t.state.get();
        if (s == TrackedConnection.GONE || s == TrackedConnection.MOVING) {
            return;
        }
        if (!c.isOpen() || c.isDetached()) {
            refuse(t, destination, Refusal.CLOSED, true);
            return;
        }
        if (s != TrackedConnection.CLEAN || !c.isReadResumed()) {
            // Busy: it moves at its next boundary; a sweep just passes by.
            if (trigger == Trigger.BOUNDARY) {
                refuse(t, destination, Refusal.MID_REQUEST, false);
            }
            return;
        }
        HttpServerConnection hc = t.http;
        if (hc != null && !hc.isOpen()) {
            refuse(t, destination, Refusal.CLOSED, true);
            return;
        }
        if (hc != null && hc.getExtraBytes() != null) {
            refuse(t, destination, Refusal.READ_AHEAD, false);
            return;
        }
        NativeIoThread target = selectTarget(t, destination);
        if (target == null) {
            refuse(t, destination, Refusal.NO_TARGET, true);
            return;
        }
        if (!t.state.compareAndSet(TrackedConnection.CLEAN, TrackedConnection.MOVING)) {
            refuse(t, destination, Refusal.MID_REQUEST, false);
            return;
        }
        detachAndMove(t, target, null);
    }

    /**
     * On the I/O thread, right after Undertow completed an exchange and queued the parsing of a
     * pipelined request it had read ahead: takes those bytes from Undertow and moves the
     * connection with them, so the pipelined request is parsed on the target thread.
     */
    void movePipelined(TrackedConnection t, Destination destination) {
        if (!enabled) {
            return;
        }
        NativeStreamConnection c = t.connection;
        HttpServerConnection hc = t.http;
        PooledByteBuffer extra = hc.getExtraBytes();
        if (extra == null || !c.isOpen() || !hc.isOpen()) {
            return;
        }
        // Undertow's queued parse of the read-ahead bytes runs after this returns: the detach must
        // be complete by then, which only an engine that releases an fd synchronously guarantees.
        if (!releasesSynchronously(c)) {
            refuse(t, destination, Refusal.READ_AHEAD, false);
            return;
        }
        // Undertow holds the responses to pipelined requests (BUFFER_PIPELINED_DATA, on by
        // default in Undertow's builder) until the last one: they leave before the fd does.
        PipeliningBufferingStreamSinkConduit pipeline = hc.getPipelineBuffer();
        try {
            if (pipeline != null && !pipeline.flushPipelinedData()) {
                refuse(t, destination, Refusal.OUTPUT_PENDING, false);
                return;
            }
        } catch (IOException e) {
            refuse(t, destination, Refusal.CLOSED, true);
            return;
        }
        NativeIoThread target = selectTarget(t, destination);
        if (target == null) {
            refuse(t, destination, Refusal.NO_TARGET, true);
            return;
        }
        ByteBuffer bytes = extra.getBuffer();
        ByteBuffer carried = ByteBuffer.allocate(bytes.remaining());
        carried.put(bytes).flip();
        hc.setExtraBytes(null);
        extra.close();
        t.state.set(TrackedConnection.MOVING);
        detachAndMove(t, target, carried);
    }

    /** Whether the engine frees an fd within {@code detach} (epoll); io_uring waits for completions. */
    private static boolean releasesSynchronously(NativeStreamConnection c) {
        return c.nativeIoThread().engineId().releasesFdSynchronously();
    }

    private void detachAndMove(TrackedConnection t, NativeIoThread target, ByteBuffer carried) {
        NativeStreamConnection c = t.connection;
        NativeIoThread source = c.nativeIoThread();
        String from = c.engineName();
        String to = target.engineName();
        long start = System.nanoTime();
        c.detach(new NativeStreamConnection.DetachListener() {
            @Override
            public void detached(DetachedConnection detached) {
                if (carried != null) {
                    detached.carryFirst(carried);
                }
                try {
                    target.execute(() -> arrive(t, detached, target, source, start));
                } catch (RejectedExecutionException e) {
                    detached.close();
                    lost(t, from, to, "target thread shut down", e);
                }
            }

            @Override
            public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                HttpServerConnection hc = t.http;
                if (carried != null && hc != null) {
                    // Undertow parses them as if nothing happened.
                    hc.setExtraBytes(new ImmediatePooledByteBuffer(carried));
                    t.state.compareAndSet(TrackedConnection.MOVING, TrackedConnection.DIRTY);
                } else {
                    t.state.compareAndSet(TrackedConnection.MOVING, TrackedConnection.CLEAN);
                }
                Refusal r = Refusal.of(reason);
                TransplantLogger.LOG.refused(connection, reason.description());
                metrics.countRefusal(r);
                if (r != Refusal.OUTPUT_PENDING) {
                    t.settle(MoveOutcome.refused(from, to, r));
                }
            }
        });
    }

    /** On the target thread: adopt, then hand the connection to its listener as a new one. */
    private void arrive(TrackedConnection t, DetachedConnection detached, NativeIoThread target,
                        NativeIoThread source, long start) {
        String from = source.engineName();
        String to = target.engineName();
        NativeStreamConnection adopted;
        try {
            adopted = target.adopt(detached);
        } catch (Throwable e) {
            detached.close();
            lost(t, from, to, "adopt failed", e);
            return;
        }
        TrackedConnection next = new TrackedConnection(this, adopted, t.listener, t.openListener);
        tracked.put(adopted, next);
        // Undertow's first resume on the new thread is an idle boundary if it read nothing
        // before it: count what it reads from below its own conduits.
        ReadCountingConduit counter = new ReadCountingConduit(adopted.getSourceChannel().getConduit());
        adopted.getSourceChannel().setConduit(counter);
        next.arrivalCounter = counter;
        adopted.onNextReadResume(next::arrivalResume);
        try {
            deliver(t, adopted, target);
        } catch (Throwable e) {
            IoUtils.safeClose(adopted);
            lost(t, from, to, "listener failed", e);
            return;
        }
        long nanos = System.nanoTime() - start;
        metrics.moved(from, to, nanos);
        Mark mark = markFor(t.listener);
        if (mark != null) {
            mark.sources.add(source);
        }
        TransplantLogger.LOG.moved(adopted, from, to, nanos / 1000);
        t.settle(MoveOutcome.moved(from, to, target.getName()));
    }

    private void lost(TrackedConnection t, String from, String to, String why, Throwable cause) {
        metrics.lost(why);
        TransplantLogger.LOG.lost(cause, from, to, why);
        t.settle(MoveOutcome.lost(from, to, why));
    }

    private void refuse(TrackedConnection t, Destination destination, Refusal reason, boolean settle) {
        metrics.countRefusal(reason);
        TransplantLogger.LOG.refused(t.connection, reason.metricName());
        if (settle) {
            t.settle(MoveOutcome.refused(t.engine(), destination.engine(), reason));
        }
    }

    // ---- targets and delivery

    private NativeIoThread selectTarget(TrackedConnection t, Destination destination) {
        List<NativeIoThread> candidates = candidates(t, destination);
        if (candidates.isEmpty()) {
            return null;
        }
        NativeIoThread chosen = selector.select(t.connection, destination.engine(), candidates);
        return chosen != null && candidates.contains(chosen) ? chosen : null;
    }

    /**
     * Threads the connection can be handed over to: its own worker's threads of an engine its
     * server accepts on now (redelivery goes through the server's acceptor on the target
     * thread; an adaptive listener accepts on one engine at a time), any of its own worker's
     * threads when its open listener is known, and the extra target workers' threads then too.
     */
    private List<NativeIoThread> candidates(TrackedConnection t, Destination destination) {
        NativeStreamConnection c = t.connection;
        NativeIoThread here = c.nativeIoThread();
        List<NativeIoThread> list = new ArrayList<>(4);
        NativeXnioWorker own = here.getWorker();
        NativeTcpServer server = serverOf(c);
        for (NativeIoThread thread : destination.threadsOf(own)) {
            if (thread != here && !thread.isShutdownRequested()
                    && (t.openListener != null || (server != null && acceptsOn(server, thread)))) {
                list.add(thread);
            }
        }
        if (t.openListener != null) {
            for (NativeXnioWorker w : targetWorkers) {
                if (w != own && !w.isShutdown()) {
                    for (NativeIoThread thread : destination.threadsOf(w)) {
                        if (thread != here && !thread.isShutdownRequested()) {
                            list.add(thread);
                        }
                    }
                }
            }
        }
        return list;
    }

    private static boolean acceptsOn(NativeTcpServer server, NativeIoThread thread) {
        String engine = server.acceptingEngine();
        return engine == null || engine.equals(thread.engineName());
    }

    /** The server that can take the connection back through its accept listener, if any. */
    private static NativeTcpServer serverOf(NativeStreamConnection c) {
        Object server = c.acceptedBy();
        if (server instanceof NativeTcpServer) {
            NativeTcpServer s = (NativeTcpServer) server;
            if (s.isOpen() && s.isAcceptResumed()) {
                return s;
            }
        }
        return null;
    }

    private static void deliver(TrackedConnection t, NativeStreamConnection adopted, NativeIoThread target) {
        NativeTcpServer server = serverOf(t.connection);
        // The target was chosen while the server accepted on its engine; a switch back since (an adaptive
        // listener's revert while the move was under way) does not matter: the server keeps its acceptor on
        // that thread and takes the connection up there (redeliver closes it only when it has none), and the
        // revert's own mark moves it back at its next boundary.
        if (server != null && target.getWorker() == t.connection.nativeIoThread().getWorker()) {
            server.redeliver(adopted);
        } else if (t.openListener != null) {
            t.openListener.handleEvent(adopted);
        } else {
            throw new IllegalStateException("no listener can take " + adopted);
        }
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

    private void sweepThread(NativeIoThread thread) {
        if (!enabled) {
            return;
        }
        int waiting = 0;
        for (TrackedConnection t : tracked.values()) {
            if (t.connection.nativeIoThread() != thread) {
                continue;
            }
            Destination d = wanted(t);
            if (d == null) {
                continue;
            }
            if (t.isClean()) {
                moveIfIdle(t, d, Trigger.SWEEP);
            }
            int s = t.state.get();
            if (s != TrackedConnection.GONE && s != TrackedConnection.MOVING) {
                waiting++;
            }
        }
        if (waiting > 0 && !marks.isEmpty()) {
            scheduleSweep(thread, sweepMillis);
        }
    }

    private static String engineOf(XnioIoThread thread) {
        return thread instanceof NativeIoThread ? ((NativeIoThread) thread).engineName() : "nio";
    }

    // =====================================================================================
    // Management

    private ObjectName register(String name) {
        try {
            ObjectName on = new ObjectName("dev.adaptiveio:type=Transplant,name=" + ObjectName.quote(name));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (!server.isRegistered(on)) {
                server.registerMBean(new Management(), on);
                return on;
            }
        } catch (Exception | LinkageError e) {
            TransplantLogger.LOG.mbeanFailed(e, name);
        }
        return null;
    }

    /** Unregisters the MXBean and forgets marks; connections keep their state. */
    @Override
    public void close() {
        marks.clear();
        if (objectName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }

    private final class Management implements TransplantMXBean {
        @Override
        public boolean isEnabled() {
            return enabled;
        }

        @Override
        public void setEnabled(boolean on) {
            Transplant.this.setEnabled(on);
        }

        @Override
        public int getTrackedConnections() {
            return tracked.size();
        }

        @Override
        public long getMovedCount() {
            return metrics.movedTotal();
        }

        @Override
        public Map<String, Long> getMovedByDirection() {
            return metrics.movedByDirection();
        }

        @Override
        public long getRefusedCount() {
            return metrics.refusedTotal();
        }

        @Override
        public Map<String, Long> getRefusedByReason() {
            return metrics.refusedByReason();
        }

        @Override
        public long getLostCount() {
            return metrics.lostTotal();
        }

        @Override
        public Map<String, Long> getLostByCause() {
            return metrics.lostByCause();
        }

        @Override
        public long getMoveLatencyMinMicros() {
            return metrics.latencyMinMicros();
        }

        @Override
        public long getMoveLatencyAvgMicros() {
            return metrics.latencyAvgMicros();
        }

        @Override
        public long getMoveLatencyMaxMicros() {
            return metrics.latencyMaxMicros();
        }

        @Override
        public Map<String, Long> getMoveLatencyHistogram() {
            return metrics.latencyHistogram();
        }

        @Override
        public Map<String, String> getMarks() {
            return marks();
        }

        @Override
        public void markAllForMigration(String engine) {
            markForMigration(null, engine);
        }

        @Override
        public String markAllForThreads(String threadNames) {
            List<NativeIoThread> found = new ArrayList<>();
            for (String wanted : threadNames.split(",")) {
                String name = wanted.trim();
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (thread instanceof NativeIoThread && thread.isAlive()
                            && (thread.getName().equals(name) || thread.getName().endsWith(" " + name))) {
                        found.add((NativeIoThread) thread);
                    }
                }
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("No adaptive-io I/O thread named " + threadNames);
            }
            markForMigration(null, Destination.threads(found));
            return found.toString();
        }

        @Override
        public void clearMarks() {
            Transplant.this.clearMarks();
        }

        @Override
        public void sweep() {
            Transplant.this.sweep();
        }
    }

    @Override
    public String toString() {
        return "Transplant[" + name + (enabled ? ", on" : ", off") + ", " + metrics + "]";
    }

    static Collection<TrackedConnection> trackedOf(Transplant t) {
        return t.tracked.values();
    }
}
