package dev.adaptiveio.transplant;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.NativeTcpServer;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.server.protocol.http.PipeliningBufferingStreamSinkConduit;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ImmediatePooledByteBuffer;
import org.xnio.StreamConnection;

/**
 * Where the extension meets Undertow's internals: it notes each HTTP/1 exchange on a native
 * connection ({@link TrackedConnection} follows the connection between requests), decides at a
 * request boundary or in a sweep whether an idle connection can leave, hands Undertow's
 * read-ahead bytes over, and delivers a moved connection to its listener. The fd itself is moved
 * by the {@link MoveCoordinator}; where connections are wanted is the {@link MarkRegistry}'s.
 */
final class ExchangeHook {

    /** What started a move attempt. */
    enum Trigger { BOUNDARY, SWEEP, REQUEST }

    private static final AttachmentKey<TrackedConnection> TRACKED = AttachmentKey.create(TrackedConnection.class);
    private static final AttachmentKey<Boolean> UNMOVABLE_COUNTED = AttachmentKey.create(Boolean.class);

    private final Transplant owner;
    private final MarkRegistry<TrackedConnection> registry;
    private final MoveCoordinator coordinator;
    private final TransplantMetrics metrics;

    ExchangeHook(Transplant owner, MarkRegistry<TrackedConnection> registry, MoveCoordinator coordinator,
                 TransplantMetrics metrics) {
        this.owner = owner;
        this.registry = registry;
        this.coordinator = coordinator;
        this.metrics = metrics;
    }

    // ---- noting exchanges

    /**
     * The connection of {@code exchange}, tracked from now on; {@code null} when it can never move
     * (HTTP/2, TLS, not native). Unless {@code explicit}, an unmovable connection wanted
     * elsewhere is counted as a refusal (once per TLS/NIO connection, per request for HTTP/2).
     */
    TrackedConnection track(HttpServerExchange exchange, HttpOpenListener openListener, boolean explicit) {
        ServerConnection sc = exchange.getConnection();
        if (!(sc instanceof HttpServerConnection)) {
            // HTTP/2 (one connection object per stream) or another protocol.
            if (!explicit && registry.wantedElsewhere(exchange.getIoThread(), null)) {
                metrics.countRefusal(Refusal.HTTP2);
            }
            return null;
        }
        HttpServerConnection hc = (HttpServerConnection) sc;
        TrackedConnection t = hc.getAttachment(TRACKED);
        if (t == null) {
            StreamConnection channel = hc.getChannel();
            if (hc.getSslSessionInfo() != null || !(channel instanceof NativeStreamConnection)) {
                if (!explicit && registry.wantedElsewhere(exchange.getIoThread(), null)
                        && hc.getAttachment(UNMOVABLE_COUNTED) == null) {
                    hc.putAttachment(UNMOVABLE_COUNTED, Boolean.TRUE);
                    metrics.countRefusal(hc.getSslSessionInfo() != null ? Refusal.TLS : Refusal.NOT_NATIVE);
                }
                return null;
            }
            NativeStreamConnection nc = (NativeStreamConnection) channel;
            t = registry.tracked(nc);
            if (t == null) {
                t = new TrackedConnection(this, nc, nc.acceptedBy(), openListener);
                if (nc.isOpen()) {
                    t = registry.track(nc, nc.nativeIoThread(), t);
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

    static Refusal unmovableReason(HttpServerExchange exchange) {
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
        if (d != null) {
            return d.accepts(here) ? null : d;
        }
        return registry.wanted(t.listener, here);
    }

    void refuseIfWanted(TrackedConnection t, Refusal reason) {
        Destination d = wanted(t);
        if (d != null) {
            refuse(t, d, reason, true);
        }
    }

    void forget(TrackedConnection t) {
        registry.forget(t.connection, t.connection.nativeIoThread(), t);
    }

    // ---- deciding

    void queueMove(TrackedConnection t, Destination destination, Trigger trigger) {
        try {
            t.connection.nativeIoThread().execute(() -> moveIfIdle(t, destination, trigger));
        } catch (RejectedExecutionException e) {
            // the thread is shutting down and closes the connection
        }
    }

    /**
     * On {@code thread}: moves its idle connections that are wanted elsewhere.
     *
     * @return how many wanted elsewhere are still waiting for their boundary (busy ones)
     */
    int sweep(NativeIoThread thread) {
        int waiting = 0;
        for (TrackedConnection t : registry.on(thread)) {
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
        return waiting;
    }

    /** On the connection's I/O thread: moves it if it is still idle with nothing read ahead. */
    private void moveIfIdle(TrackedConnection t, Destination destination, Trigger trigger) {
        if (!owner.isEnabled()) {
            return;
        }
        NativeStreamConnection c = t.connection;
        if (destination.accepts(c.nativeIoThread())) {
            t.settle(MoveOutcome.stayed(c.engineName(), destination.engine()));
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
        NativeIoThread target = coordinator.selectTarget(c, destination, t.openListener != null);
        if (target == null) {
            refuse(t, destination, Refusal.NO_TARGET, true);
            return;
        }
        if (!t.state.compareAndSet(TrackedConnection.CLEAN, TrackedConnection.MOVING)) {
            refuse(t, destination, Refusal.MID_REQUEST, false);
            return;
        }
        coordinator.move(c, target, null, new HttpMove(t, target));
    }

    /**
     * On the I/O thread, right after Undertow completed an exchange and queued the parsing of a
     * pipelined request it had read ahead: takes those bytes from Undertow and moves the
     * connection with them, so the pipelined request is parsed on the target thread.
     */
    void movePipelined(TrackedConnection t, Destination destination) {
        if (!owner.isEnabled()) {
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
        if (!c.nativeIoThread().engineId().releasesFdSynchronously()) {
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
        NativeIoThread target = coordinator.selectTarget(c, destination, t.openListener != null);
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
        coordinator.move(c, target, carried, new HttpMove(t, target));
    }

    private void refuse(TrackedConnection t, Destination destination, Refusal reason, boolean settle) {
        metrics.countRefusal(reason);
        TransplantLogger.LOG.refused(t.connection, reason.metricName());
        if (settle) {
            t.settle(MoveOutcome.refused(t.engine(), destination.engine(), reason));
        }
    }

    // ---- one move of an HTTP/1 connection

    private final class HttpMove implements MoveCoordinator.Move {
        private final TrackedConnection t;
        private final NativeIoThread target;
        private final String from;

        HttpMove(TrackedConnection t, NativeIoThread target) {
            this.t = t;
            this.target = target;
            this.from = t.engine();
        }

        @Override
        public void refused(DetachRefusal reason, ByteBuffer carried) {
            HttpServerConnection hc = t.http;
            if (carried != null && hc != null) {
                // Undertow parses them as if nothing happened.
                hc.setExtraBytes(new ImmediatePooledByteBuffer(carried));
                t.state.compareAndSet(TrackedConnection.MOVING, TrackedConnection.DIRTY);
            } else {
                t.state.compareAndSet(TrackedConnection.MOVING, TrackedConnection.CLEAN);
            }
            Refusal r = Refusal.of(reason);
            metrics.countRefusal(r);
            if (r != Refusal.OUTPUT_PENDING) {
                t.settle(MoveOutcome.refused(from, target.engineName(), r));
            }
        }

        @Override
        public void deliver(NativeStreamConnection adopted) {
            TrackedConnection next = new TrackedConnection(ExchangeHook.this, adopted, t.listener, t.openListener);
            registry.track(adopted, adopted.nativeIoThread(), next);
            // Undertow's first resume on the new thread is an idle boundary if it read nothing
            // before it: count what it reads from below its own conduits.
            ReadCountingConduit counter = new ReadCountingConduit(adopted.getSourceChannel().getConduit());
            adopted.getSourceChannel().setConduit(counter);
            next.arrivalCounter = counter;
            adopted.onNextReadResume(next::arrivalResume);
            NativeTcpServer server = MoveCoordinator.serverOf(t.connection);
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

        @Override
        public void moved(NativeStreamConnection adopted, NativeIoThread source, long nanos) {
            Mark mark = registry.markFor(t.listener);
            if (mark != null) {
                mark.movedFrom(source);
            }
            t.settle(MoveOutcome.moved(from, target.engineName(), target.getName()));
        }

        @Override
        public void lost(String why) {
            t.settle(MoveOutcome.lost(from, target.engineName(), why));
        }
    }
}
