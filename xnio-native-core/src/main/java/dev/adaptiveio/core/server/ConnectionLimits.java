package dev.adaptiveio.core.server;

import java.util.concurrent.atomic.AtomicInteger;

import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * XNIO's CONNECTION_HIGH_WATER / CONNECTION_LOW_WATER for one server, as NIO applies them: at
 * the high mark the server stops accepting, and it starts again once the open connections fall
 * to the low mark. Each method reports whether accepting should change, so the server updates
 * its acceptors only then.
 */
final class ConnectionLimits {

    private final AtomicInteger open = new AtomicInteger();
    private volatile int highWater;
    private volatile int lowWater;
    private volatile boolean overLimit;

    ConnectionLimits(OptionMap options) {
        this.highWater = options.get(Options.CONNECTION_HIGH_WATER, Integer.MAX_VALUE);
        this.lowWater = options.get(Options.CONNECTION_LOW_WATER, highWater);
    }

    int openConnections() {
        return open.get();
    }

    int highWater() {
        return highWater;
    }

    int lowWater() {
        return lowWater;
    }

    boolean isOverLimit() {
        return overLimit;
    }

    /** A connection was accepted; {@code true} when that reached the high mark. */
    boolean accepted() {
        if (open.incrementAndGet() >= highWater && !overLimit) {
            overLimit = true;
            return true;
        }
        return false;
    }

    /** A connection left; {@code true} when that brought the count back to the low mark. */
    boolean released() {
        if (open.decrementAndGet() <= lowWater && overLimit) {
            overLimit = false;
            return true;
        }
        return false;
    }

    /**
     * As NIO: the mark set wins, and the other one moves to it when they would cross (a low mark
     * above the high one raises the high one, and the other way round).
     */
    synchronized void setMark(boolean high, int value) {
        if (high) {
            highWater = value;
            if (lowWater > value) {
                lowWater = value;
            }
        } else {
            lowWater = value;
            if (highWater < value) {
                highWater = value;
            }
        }
        int now = open.get();
        boolean over = now >= highWater;
        if (over != overLimit && (over || now <= lowWater)) {
            overLimit = over;
        }
    }
}
