package dev.adaptiveio.core.natives.uring;

import java.util.Set;

/**
 * What the kernel offers, summarised as one level. Each tier includes the ones below it.
 */
public enum UringTier {
    /** io_uring cannot be used here. */
    UNAVAILABLE("io_uring cannot be used; the engine is not offered"),
    /** Kernel 5.11+: single-shot ACCEPT, RECV, SEND, WRITEV, POLL_ADD, ASYNC_CANCEL, CLOSE. */
    BASIC("single-shot ACCEPT re-armed per connection; RECV/SEND/WRITEV/POLL_ADD/ASYNC_CANCEL/CLOSE"),
    /** Kernel 5.19+: multishot ACCEPT and POLL_ADD. */
    MULTISHOT("BASIC + multishot ACCEPT (one submission per listener) and multishot POLL_ADD"),
    /** Kernel 6.1+: SINGLE_ISSUER and DEFER_TASKRUN: completions only when the loop asks. */
    DEFER_TASKRUN("MULTISHOT + SINGLE_ISSUER + DEFER_TASKRUN: no completion interrupts, fewest wake-ups");

    private final String description;

    UringTier(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    static UringTier of(boolean available, Set<UringFeature> features) {
        if (!available) {
            return UNAVAILABLE;
        }
        if (!features.contains(UringFeature.ACCEPT_MULTISHOT) || !features.contains(UringFeature.POLL_ADD_MULTISHOT)) {
            return BASIC;
        }
        if (!features.contains(UringFeature.SETUP_SINGLE_ISSUER) || !features.contains(UringFeature.SETUP_DEFER_TASKRUN)) {
            return MULTISHOT;
        }
        return DEFER_TASKRUN;
    }
}
