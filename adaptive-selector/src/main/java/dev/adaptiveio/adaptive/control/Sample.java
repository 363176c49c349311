package dev.adaptiveio.adaptive.control;

import java.util.Objects;

/**
 * What one controller tick measures on a listener. Every field drives a rule of
 * {@link ListenerController}; nothing is sampled for show.
 *
 * @param activeEngine         the engine accepting new connections now (the controller follows it if they disagree)
 * @param ioThreads            I/O threads of the active engine, the divisor of the load
 * @param epollConnections     the listener's open connections served by epoll
 * @param ioUringConnections   the listener's open connections served by io_uring
 * @param averageResponseBytes average response bytes per request since the last tick (0 when there were none):
 *                             drives the large-payload suppression
 * @param ioUringErrors        io_uring operations of this listener's connections that failed for engine reasons
 *                             since the last tick (not peer resets): drives the error revert
 * @param ioUringOperations    io_uring operations since the last tick, failed ones included; the error rate's divisor.
 *                             Counters that disagree (more errors than operations) give a rate of 1, never an exception:
 *                             an error storm is exactly when the revert must work
 */
public record Sample(Engine activeEngine, int ioThreads, long epollConnections, long ioUringConnections,
                     long averageResponseBytes, long ioUringErrors, long ioUringOperations) {

    public Sample {
        Objects.requireNonNull(activeEngine, "activeEngine");
        if (ioThreads < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1: " + ioThreads);
        }
        if (epollConnections < 0 || ioUringConnections < 0 || averageResponseBytes < 0 || ioUringErrors < 0 || ioUringOperations < 0) {
            throw new IllegalArgumentException("negative sample: " + epollConnections + ", " + ioUringConnections + ", "
                    + averageResponseBytes + ", " + ioUringErrors + ", " + ioUringOperations);
        }
    }

    /**
     * The load: the listener's open connections on both engines per I/O thread. Both engines count
     * because a connection stays on the engine that accepted it: right after an up-switch the new engine
     * serves almost nothing, and measuring it alone would switch straight back down.
     */
    public double connectionsPerThread() {
        return (double) (epollConnections + ioUringConnections) / ioThreads;
    }

    /** io_uring errors per operation since the last tick, from 0 to 1; 0 without errors, 1 with more errors than operations. */
    public double ioUringErrorRate() {
        if (ioUringErrors == 0) {
            return 0.0;
        }
        return ioUringErrors >= ioUringOperations ? 1.0 : (double) ioUringErrors / ioUringOperations;
    }
}
