package dev.adaptiveio.adaptive.control;

/**
 * What the start gate and the controller need to know about io_uring on this machine, as measured by
 * the engine's probe: whether it works, why not, its tier, and the locked-memory budget for the rings
 * the worker would create.
 *
 * @param viable                   the probe found io_uring usable
 * @param notViableReason          why not, in words users can act on (e.g. {@code io_uring_disabled=2}); {@code null} when viable
 * @param tier                     the probe's tier name (e.g. {@code DEFER_TASKRUN}, {@code UNAVAILABLE})
 * @param lockedMemoryLimitBytes   RLIMIT_MEMLOCK in bytes; {@link #UNLIMITED} when unlimited or when the kernel
 *                                 does not charge rings to it (5.12 and later); negative when unknown (not checked)
 * @param lockedMemoryPerRingBytes locked memory one ring needs
 * @param rings                    rings the worker would create (one per io_uring I/O thread)
 */
public record IoUringAvailability(boolean viable, String notViableReason, String tier,
                                  long lockedMemoryLimitBytes, long lockedMemoryPerRingBytes, int rings) {

    /** A limit that never binds. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    public IoUringAvailability {
        if (!viable && (notViableReason == null || notViableReason.isBlank())) {
            throw new IllegalArgumentException("a non-viable io_uring needs a reason");
        }
        if (tier == null || tier.isBlank()) {
            throw new IllegalArgumentException("tier is required");
        }
        if (lockedMemoryPerRingBytes < 0 || rings < 0) {
            throw new IllegalArgumentException("negative ring memory or ring count: " + lockedMemoryPerRingBytes + " x " + rings);
        }
    }

    /** io_uring works and its rings are not limited by locked memory. */
    public static IoUringAvailability viable(String tier) {
        return new IoUringAvailability(true, null, tier, UNLIMITED, 0, 0);
    }

    /** io_uring does not work here, for the given reason; tier {@code UNAVAILABLE}. */
    public static IoUringAvailability notViable(String reason) {
        return new IoUringAvailability(false, reason, "UNAVAILABLE", UNLIMITED, 0, 0);
    }

    /** The same probe result with a locked-memory budget to check. */
    public IoUringAvailability withLockedMemory(long limitBytes, long perRingBytes, int ringCount) {
        return new IoUringAvailability(viable, notViableReason, tier, limitBytes, perRingBytes, ringCount);
    }

    /** Whether the worker can run io_uring: the probe passed and the rings fit in locked memory. */
    public boolean usable() {
        return unusableReason() == null;
    }

    /** Why io_uring cannot be used, or {@code null} when it can. */
    public String unusableReason() {
        if (!viable) {
            return notViableReason;
        }
        if (lockedMemoryLimitBytes < 0 || lockedMemoryLimitBytes == UNLIMITED) {
            return null;
        }
        long needed;
        try {
            needed = Math.multiplyExact(lockedMemoryPerRingBytes, (long) rings);
        } catch (ArithmeticException e) {
            needed = Long.MAX_VALUE;
        }
        if (needed > lockedMemoryLimitBytes) {
            return "locked-memory budget too small: " + rings + " rings need " + needed + " bytes, RLIMIT_MEMLOCK is "
                    + lockedMemoryLimitBytes + " bytes (raise it: ulimit -l, systemd LimitMEMLOCK, docker --ulimit memlock)";
        }
        return null;
    }
}
