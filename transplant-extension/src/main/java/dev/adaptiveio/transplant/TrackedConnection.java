package dev.adaptiveio.transplant;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.Methods;

/**
 * What the extension knows about one HTTP/1 connection on a native engine: whether it sits
 * between requests with nothing consumed, and where it is wanted.
 * <p>
 * "Clean" is established only at a point where Undertow is known to be idle (the
 * {@code resumeReads()} at the end of {@code HttpReadListener.exchangeComplete}, or the first
 * idle resume after a move with no byte read), and is lost at the next thing that could mean a
 * request started: a new exchange, or any {@code resumeReads()} on the I/O thread (Undertow
 * resumes after a partial read of the next request). The core's one-shot read-resume hook
 * carries both signals.
 */
final class TrackedConnection implements ExchangeCompletionListener {

    /** Something may have been read since the last boundary: not movable until the next one. */
    static final int DIRTY = 0;
    /** An exchange is running. */
    static final int BUSY = 1;
    /** Between requests, nothing consumed since Undertow resumed reads: movable. */
    static final int CLEAN = 2;
    /** An exchange completed on a worker thread; Undertow is resuming reads from there. */
    static final int PENDING = 3;
    /** Being detached. */
    static final int MOVING = 4;
    /** Closed, moved away or upgraded: never again. */
    static final int GONE = 5;

    final ExchangeHook owner;
    final NativeStreamConnection connection;
    /** The listener whose marks apply (the accepting server, kept across moves). */
    final Object listener;
    /** The open listener, when known (hand-wired listeners): lets a move leave the worker. */
    final HttpOpenListener openListener;
    final AtomicInteger state = new AtomicInteger(DIRTY);
    volatile HttpServerConnection http;
    /** The exchange whose completion this connection listens for. */
    volatile HttpServerExchange current;
    /** Set on a move's target thread until Undertow's first idle resume. */
    ReadCountingConduit arrivalCounter;
    volatile boolean refusalCounted;

    private volatile Destination requestedDestination;
    private volatile CompletableFuture<MoveOutcome> requested;

    /** Fires at any resumeReads on the I/O thread after a clean point: something may have been read. */
    private final Runnable sentinel = () -> {
        if (!state.compareAndSet(CLEAN, DIRTY)) {
            state.compareAndSet(PENDING, DIRTY);
        }
    };

    TrackedConnection(ExchangeHook owner, NativeStreamConnection connection, Object listener,
                      HttpOpenListener openListener) {
        this.owner = owner;
        this.connection = connection;
        this.listener = listener;
        this.openListener = openListener;
        connection.setCloseListener(c -> closed());
    }

    String engine() {
        return connection.engineName();
    }

    boolean isClean() {
        return state.get() == CLEAN;
    }

    // ---- requests for a move of this connection

    synchronized CompletableFuture<MoveOutcome> request(Destination destination) {
        CompletableFuture<MoveOutcome> previous = requested;
        CompletableFuture<MoveOutcome> f = new CompletableFuture<>();
        requestedDestination = destination;
        requested = f;
        if (previous != null) {
            previous.complete(MoveOutcome.refused(engine(), destination.engine(), Refusal.MID_REQUEST));
        }
        return f;
    }

    Destination requestedDestination() {
        return requestedDestination;
    }

    /** Completes a pending request for a move, if any. */
    void settle(MoveOutcome outcome) {
        CompletableFuture<MoveOutcome> f;
        synchronized (this) {
            f = requested;
            if (f == null) {
                return;
            }
            requested = null;
            requestedDestination = null;
        }
        f.complete(outcome);
    }

    // ---- life cycle signals

    /** A request reached the handler: on whatever thread runs it. */
    void exchangeStarted(HttpServerConnection connection) {
        this.http = connection;
        int s;
        do {
            s = state.get();
            if (s == GONE || s == MOVING) {
                return;
            }
        } while (!state.compareAndSet(s, BUSY));
    }

    private void closed() {
        int previous = state.getAndSet(GONE);
        owner.forget(this);
        if (previous != MOVING) {
            // A detach closes the XNIO connection too; the move settles its own request.
            Destination d = requestedDestination;
            settle(MoveOutcome.refused(engine(), d == null ? null : d.engine(), Refusal.CLOSED));
        }
    }

    /** Marks the connection clean at an idle point on its I/O thread and watches for the next read. */
    void cleanAtIdlePoint() {
        if (state.get() == GONE || state.get() == MOVING) {
            return;
        }
        state.set(CLEAN);
        connection.onNextReadResume(sentinel);
        Destination wanted = owner.wanted(this);
        if (wanted != null) {
            // The handoff runs after Undertow finished this resume (it resets its state after).
            owner.queueMove(this, wanted, ExchangeHook.Trigger.BOUNDARY);
        }
    }

    /** The first idle resume after a move: clean only if Undertow read nothing yet. */
    void arrivalResume() {
        ReadCountingConduit counter = arrivalCounter;
        arrivalCounter = null;
        if (counter != null && counter.bytesRead() == 0 && state.get() == DIRTY) {
            cleanAtIdlePoint();
        }
    }

    // ---- the request boundary

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
        current = null; // do not keep a finished exchange alive while the connection idles
        HttpServerConnection hc = http;
        if (exchange.isUpgrade() || Methods.CONNECT.equals(exchange.getRequestMethod())) {
            // The socket now belongs to another protocol.
            state.set(GONE);
            owner.forget(this);
            owner.refuseIfWanted(this, Refusal.UPGRADED);
            next.proceed();
            return;
        }
        if (!exchange.isPersistent() || hc == null) {
            state.set(DIRTY);
            next.proceed();
            return;
        }
        if (exchange.isInIoThread()) {
            boundaryOnIoThread(hc, next);
        } else {
            boundaryOnWorker(hc, next);
        }
    }

    private void boundaryOnIoThread(HttpServerConnection hc, NextListener next) {
        Boundary boundary = new Boundary();
        connection.onNextReadResume(boundary);
        try {
            next.proceed();
        } finally {
            if (!boundary.fired) {
                // Undertow did not resume reads: it re-parses read-ahead bytes, buffers pipelined
                // responses, or closes. Whatever comes next is not a clean boundary.
                connection.onNextReadResume(null);
                if (state.get() == BUSY) {
                    state.set(DIRTY);
                }
            }
        }
        if (!boundary.fired && state.get() == DIRTY) {
            Destination wanted = owner.wanted(this);
            if (wanted != null && hc.getExtraBytes() != null) {
                owner.movePipelined(this, wanted);
            }
        }
    }

    private void boundaryOnWorker(HttpServerConnection hc, NextListener next) {
        // Undertow completes the exchange on this thread and reads its read-ahead bytes here, so
        // they can be looked at before it proceeds. With bytes read ahead it parses them next
        // (on an executor, resuming reads from there): not a boundary.
        if (hc.getExtraBytes() != null) {
            state.set(DIRTY);
            next.proceed();
            return;
        }
        // Undertow resumes reads from this thread, so the boundary hook cannot run; instead
        // arm the sentinel before Undertow's resume: bytes the I/O thread then reads make it
        // resume reads there and fire it. The hook is published by the core's volatile
        // read-resumed flag, which Undertow's resume writes after this and the I/O thread reads
        // before it dispatches any read.
        state.set(PENDING);
        connection.onNextReadResume(sentinel);
        next.proceed();
        if (connection.isReadResumed() && state.compareAndSet(PENDING, CLEAN)) {
            Destination wanted = owner.wanted(this);
            if (wanted != null) {
                owner.queueMove(this, wanted, ExchangeHook.Trigger.BOUNDARY);
            }
        } else {
            state.compareAndSet(PENDING, DIRTY);
        }
    }

    /** Runs inside Undertow's resumeReads at the end of exchangeComplete, on the I/O thread. */
    private final class Boundary implements Runnable {
        boolean fired;

        @Override
        public void run() {
            fired = true;
            cleanAtIdlePoint();
        }
    }

    @Override
    public String toString() {
        return "tracked " + connection + " state " + state.get();
    }
}
