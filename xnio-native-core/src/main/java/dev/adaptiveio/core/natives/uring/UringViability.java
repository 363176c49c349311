package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Whether io_uring can be used on this machine, why not if not, and what it offers if so.
 * Immutable; {@link IoUringSupport#viability()} computes the current one.
 */
public final class UringViability {

    private final UringCause cause;
    private final String detail;
    private final String fix;
    private final UringTier tier;
    private final Set<UringFeature> features;
    private final String kernelRelease;
    private final Throwable error;

    UringViability(UringCause cause, String detail, String fix, Set<UringFeature> features, String kernelRelease,
                   Throwable error) {
        this.cause = cause;
        this.detail = detail;
        this.fix = fix;
        this.features = features.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(features));
        this.tier = UringTier.of(cause == UringCause.AVAILABLE, this.features);
        this.kernelRelease = kernelRelease;
        this.error = error;
    }

    public boolean isViable() {
        return cause == UringCause.AVAILABLE;
    }

    public UringCause cause() {
        return cause;
    }

    /** What was found, in words (the native error where there was one). */
    public String detail() {
        return detail;
    }

    /** What an operator can do about it; empty when viable. */
    public String fix() {
        return fix;
    }

    public UringTier tier() {
        return tier;
    }

    /** What the kernel offers; empty when not viable. */
    public Set<UringFeature> features() {
        return features;
    }

    public String kernelRelease() {
        return kernelRelease;
    }

    /** The underlying error, or {@code null}. */
    public Throwable error() {
        return error;
    }

    /** One line for a log: the verdict, the cause and the fix. */
    public String summary() {
        if (isViable()) {
            return "io_uring is available (tier " + tier + ", kernel " + kernelRelease + ")";
        }
        return "io_uring is not usable: " + cause + ": " + detail + ". Fix: " + fix;
    }

    /** The exception an explicit request for the io_uring engine gets when it cannot be used. */
    public IOException toException() {
        IOException e = new IOException(summary());
        if (error != null) {
            e.initCause(error);
        }
        return e;
    }

    @Override
    public String toString() {
        return summary();
    }
}
