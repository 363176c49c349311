package dev.adaptiveio.adaptive.control;

/** Why a switch a rule asked for did not happen. */
public enum RejectReason {
    /** io_uring cannot be used here (probe, locked memory, or its engine failed to start). */
    NOT_VIABLE,
    /** Switching is frozen ({@link ListenerControl#freeze}). */
    FROZEN,
    /** Too many switches recently: switching is locked for OSCILLATION_LOCK_SECONDS. */
    OSCILLATION_LOCK,
    /** Within COOLDOWN_SECONDS of the last switch. */
    COOLDOWN,
    /** Average response at or above LARGE_PAYLOAD_BYTES: the engines tie, moving gains nothing. */
    LARGE_PAYLOAD,
    /** An up-switch while io_uring's error rate is above ERROR_REVERT_RATE. */
    ERROR_RATE,
    /** The target engine could not take over accepting. */
    SWITCH_FAILED
}
