package dev.adaptiveio.adaptive.control;

/** Why the accepting engine changed. */
public enum SwitchReason {
    /** Load at or above UP_THRESHOLD for SUSTAINED_TICKS ticks: to io_uring. */
    SUSTAINED_LOAD,
    /** Load at or above HIGH_WATERMARK: to io_uring at once. */
    HIGH_WATERMARK,
    /** Load below DOWN_THRESHOLD for SUSTAINED_TICKS ticks: to epoll. */
    LOW_LOAD,
    /** io_uring error rate above ERROR_REVERT_RATE: to epoll, despite the cooldown and the oscillation lock. */
    ERROR_REVERT,
    /** An operator or the demo asked for it ({@link ListenerControl#forceSwitch}). */
    FORCED
}
