package dev.adaptiveio.adaptive.control;

import java.util.ArrayDeque;

/**
 * Detects flapping: {@code switches} automatic switches within {@code window} lock switching for
 * {@code lock}, starting at the switch that completed the count. Not thread-safe (its controller's lock covers it).
 */
final class OscillationGuard {

    private final int switches;
    private final long windowNanos;
    private final long lockNanos;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private boolean lockEngaged;
    private long lockStart;

    OscillationGuard(int switches, long windowNanos, long lockNanos) {
        this.switches = switches;
        this.windowNanos = windowNanos;
        this.lockNanos = lockNanos;
    }

    /** Records an automatic switch at {@code now}; true when it engaged the lock. */
    boolean recordSwitch(long now) {
        recent.addLast(now);
        while (!recent.isEmpty() && now - recent.peekFirst() >= windowNanos) {
            recent.removeFirst();
        }
        if (recent.size() >= switches) {
            recent.clear();
            lockEngaged = true;
            lockStart = now;
            return true;
        }
        return false;
    }

    boolean locked(long now) {
        return remainingNanos(now) > 0;
    }

    /** Nanoseconds until the lock expires; 0 when not locked. */
    long remainingNanos(long now) {
        if (!lockEngaged) {
            return 0;
        }
        long elapsed = now - lockStart;
        if (elapsed >= lockNanos) {
            lockEngaged = false;
            return 0;
        }
        return lockNanos - elapsed;
    }
}
