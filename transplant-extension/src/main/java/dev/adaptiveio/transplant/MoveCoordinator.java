package dev.adaptiveio.transplant;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.RejectedExecutionException;

import dev.adaptiveio.core.conn.ConnectionAdopter;
import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.DetachListener;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * Moves one connection's fd to another I/O thread: detach on its own thread, adopt on the target
 * thread, then hand the adopted connection over; and picks that target thread. Knows nothing of
 * HTTP: what a refusal hands back and who takes the adopted connection is the {@link Move}'s
 * business (the exchange hook's).
 */
final class MoveCoordinator {

    /** One move's callbacks; each runs on an I/O thread, at most one of refused/lost/moved per move. */
    interface Move {
        /**
         * On the source thread: the engine kept the connection (still open unless {@code reason}
         * says otherwise); {@code carried} comes back as it was given, or {@code null}.
         */
        void refused(DetachRefusal reason, ByteBuffer carried);

        /**
         * On the target thread, with the connection adopted there: hand it to whoever serves it.
         * Throwing closes it and counts it lost.
         */
        void deliver(NativeStreamConnection adopted) throws Exception;

        /** On the target thread, after a successful {@link #deliver}. */
        void moved(NativeStreamConnection adopted, NativeIoThread source, long nanos);

        /** The connection was closed during the move: the target thread shut down, adopt or delivery failed. */
        void lost(String why);
    }

    private final TransplantMetrics metrics;
    private final Set<NativeXnioWorker> targetWorkers = new CopyOnWriteArraySet<>();
    private volatile TargetSelector selector = TargetSelector.leastLoaded();

    MoveCoordinator(TransplantMetrics metrics) {
        this.metrics = metrics;
    }

    void setTargetSelector(TargetSelector selector) {
        this.selector = selector == null ? TargetSelector.leastLoaded() : selector;
    }

    void addTargetWorker(NativeXnioWorker worker) {
        targetWorkers.add(worker);
    }

    void removeTargetWorker(Object worker) {
        targetWorkers.remove(worker);
    }

    Set<NativeXnioWorker> targetWorkers() {
        return Set.copyOf(targetWorkers);
    }

    // ---- choosing the target

    /**
     * The thread {@code c} should move to, or {@code null} when none can take it. Candidates are
     * the threads of the connection's own worker that {@code destination} accepts and that can
     * hand the connection to its listener: when it has no open listener of its own
     * ({@code anyThread} false) only threads of an engine its server accepts on now
     * (redelivery goes through the server's acceptor on the target thread; an adaptive listener
     * accepts on one engine at a time); with one, any of them and the extra target workers'
     * threads too.
     */
    NativeIoThread selectTarget(NativeStreamConnection c, Destination destination, boolean anyThread) {
        List<NativeIoThread> candidates = candidates(c, destination, anyThread);
        if (candidates.isEmpty()) {
            return null;
        }
        NativeIoThread chosen = selector.select(c, destination.engine(), candidates);
        return chosen != null && candidates.contains(chosen) ? chosen : null;
    }

    List<NativeIoThread> candidates(NativeStreamConnection c, Destination destination, boolean anyThread) {
        NativeIoThread here = c.nativeIoThread();
        List<NativeIoThread> list = new ArrayList<>(4);
        NativeXnioWorker own = NativeXnioWorker.of(here);
        NativeTcpServer server = serverOf(c);
        for (NativeIoThread thread : destination.threadsOf(own)) {
            if (thread != here && !thread.isShutdownRequested()
                    && (anyThread || (server != null && acceptsOn(server, thread)))) {
                list.add(thread);
            }
        }
        if (anyThread) {
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
        EngineId engine = server.acceptingEngine();
        return engine == null || engine == thread.engineId();
    }

    /** The server that can take {@code c} back through its accept listener, if any. */
    static NativeTcpServer serverOf(NativeStreamConnection c) {
        AcceptingChannel<StreamConnection> server = c.acceptedBy();
        if (server instanceof NativeTcpServer) {
            NativeTcpServer s = (NativeTcpServer) server;
            if (s.isOpen() && s.isAcceptResumed()) {
                return s;
            }
        }
        return null;
    }

    // ---- moving

    /**
     * Detaches {@code c} (on its I/O thread), adopts it on {@code target} with {@code carried}
     * (bytes already read from the socket, delivered before anything new; may be {@code null})
     * and lets {@code move} deliver it there. Counts moves and losses; refusals are the caller's
     * to count (it knows why it tried).
     */
    void move(NativeStreamConnection c, NativeIoThread target, ByteBuffer carried, Move move) {
        NativeIoThread source = c.nativeIoThread();
        long start = System.nanoTime();
        c.detach(new DetachListener() {
            @Override
            public void detached(DetachedConnection detached) {
                if (carried != null) {
                    detached.carryFirst(carried);
                }
                try {
                    target.execute(() -> arrive(detached, source, target, start, move));
                } catch (RejectedExecutionException e) {
                    detached.close();
                    lost(move, source, target, "target thread shut down", e);
                }
            }

            @Override
            public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                TransplantLogger.LOG.refused(connection, reason.description());
                move.refused(reason, carried);
            }
        });
    }

    /** On the target thread: adopt, then deliver. */
    private void arrive(DetachedConnection detached, NativeIoThread source, NativeIoThread target, long start,
                        Move move) {
        NativeStreamConnection adopted;
        try {
            // Every engine's I/O thread adopts (the engines implement ConnectionAdopter).
            adopted = ((ConnectionAdopter) target).adopt(detached);
        } catch (Throwable e) {
            detached.close();
            lost(move, source, target, "adopt failed", e);
            return;
        }
        try {
            move.deliver(adopted);
        } catch (Throwable e) {
            IoUtils.safeClose(adopted);
            lost(move, source, target, "listener failed", e);
            return;
        }
        long nanos = System.nanoTime() - start;
        metrics.moved(source.engineName(), target.engineName(), nanos);
        TransplantLogger.LOG.moved(adopted, source.engineName(), target.engineName(), nanos / 1000);
        move.moved(adopted, source, nanos);
    }

    private void lost(Move move, NativeIoThread source, NativeIoThread target, String why, Throwable cause) {
        metrics.lost(why);
        TransplantLogger.LOG.lost(cause, source.engineName(), target.engineName(), why);
        move.lost(why);
    }
}
