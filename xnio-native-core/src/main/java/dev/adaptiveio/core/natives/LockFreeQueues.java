package dev.adaptiveio.core.natives;

import java.util.Queue;

import io.netty.util.internal.PlatformDependent;

/**
 * The lock-free queues the loop and the buffer pools use, from the Netty copy shaded with the
 * natives (so only this package imports Netty).
 */
public final class LockFreeQueues {

    private LockFreeQueues() {
    }

    /** Many producers, one consumer (an I/O thread's task queue); unbounded. */
    public static <T> Queue<T> newMpscQueue() {
        return PlatformDependent.newMpscQueue();
    }

    /** Many producers and consumers, at most {@code capacity} elements (offer fails beyond). */
    public static <T> Queue<T> newFixedMpmcQueue(int capacity) {
        return PlatformDependent.newFixedMpmcQueue(capacity);
    }
}
