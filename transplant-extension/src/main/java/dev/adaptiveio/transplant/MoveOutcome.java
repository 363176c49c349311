package dev.adaptiveio.transplant;

/**
 * How a requested move ended.
 *
 * @param status       what happened
 * @param fromEngine   the engine the connection was on
 * @param toEngine     the engine it was wanted on
 * @param targetThread the I/O thread that serves it now ({@link Status#MOVED}), else {@code null}
 * @param refusal      why it did not move ({@link Status#REFUSED}), else {@code null}
 * @param detail       the lost connection's cause ({@link Status#LOST}), else {@code null}
 */
public record MoveOutcome(Status status, String fromEngine, String toEngine, String targetThread, Refusal refusal,
                          String detail) {

    public enum Status {
        /** Served by the target thread from the next request on. */
        MOVED,
        /** Still served where it was. */
        REFUSED,
        /** Already on a thread the destination accepts: nothing to do. */
        STAYED,
        /** Closed during the move (the target thread shut down, the adopt failed). */
        LOST
    }

    static MoveOutcome moved(String from, String to, String thread) {
        return new MoveOutcome(Status.MOVED, from, to, thread, null, null);
    }

    static MoveOutcome refused(String from, String to, Refusal refusal) {
        return new MoveOutcome(Status.REFUSED, from, to, null, refusal, null);
    }

    static MoveOutcome stayed(String engine, String to) {
        return new MoveOutcome(Status.STAYED, engine, to, null, null, null);
    }

    static MoveOutcome lost(String from, String to, String cause) {
        return new MoveOutcome(Status.LOST, from, to, null, null, cause);
    }

    public boolean isMoved() {
        return status == Status.MOVED;
    }
}
