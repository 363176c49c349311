package dev.adaptiveio.transplant;

import java.util.List;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;

/**
 * Picks the I/O thread a connection moves to. The candidates are the threads of the wanted
 * engine that can hand the connection to its listener (never the connection's own thread);
 * returning {@code null} refuses the move ({@link Refusal#NO_TARGET}). Called on the
 * connection's I/O thread: keep it cheap.
 */
@FunctionalInterface
public interface TargetSelector {

    NativeIoThread select(NativeStreamConnection connection, String toEngine, List<NativeIoThread> candidates);

    /**
     * The candidate serving the fewest connections (the engine's own count of what each thread
     * tracks), the lowest-numbered one on a tie.
     */
    static TargetSelector leastLoaded() {
        return (connection, toEngine, candidates) -> {
            NativeIoThread best = null;
            int bestLoad = Integer.MAX_VALUE;
            for (NativeIoThread t : candidates) {
                int load = t.trackedCount();
                if (load < bestLoad) {
                    best = t;
                    bestLoad = load;
                }
            }
            return best;
        };
    }
}
