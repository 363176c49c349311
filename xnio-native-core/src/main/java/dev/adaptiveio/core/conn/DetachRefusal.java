package dev.adaptiveio.core.conn;

/**
 * Why {@link NativeStreamConnection#detach} left a connection where it is. Callers switch over
 * these (the transplant extension counts them), so a new or renamed reason fails their build
 * instead of silently landing in a catch-all.
 */
public enum DetachRefusal {
    /** Detached before: the fd belongs to whoever adopted it. */
    ALREADY_DETACHED("already detached"),
    /** Closed, closing or half-closed: nothing worth moving. */
    CLOSED("closed or half-closed"),
    /** Output was queued and could not all be sent now; it must leave before the fd does. */
    OUTPUT_PENDING("output not yet sent"),
    /** Sending the queued output failed: the connection is about to be closed. */
    OUTPUT_FAILED("output failed");

    private final String description;

    DetachRefusal(String description) {
        this.description = description;
    }

    /** A short phrase for log lines. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description;
    }
}
