package dev.adaptiveio.core.natives.uring;

import java.io.IOException;

/**
 * Entry point for engines: is io_uring usable here, and why not.
 */
public final class IoUringSupport {

    /** The system property (and, as {@code ADAPTIVEIO_IO_URING}, environment variable) that turns io_uring off. */
    public static final String DISABLE_PROPERTY = UringProbe.PROPERTY;

    private IoUringSupport() {
    }

    /**
     * The verdict for this JVM now. The kernel is probed once; the switch property is read on
     * every call, so setting it takes effect for engines created afterwards.
     */
    public static UringViability viability() {
        return UringProbe.probe(UringEnvironment.system());
    }

    /** @throws IOException with the cause and the fix when io_uring cannot be used here */
    public static UringViability ensureAvailable() throws IOException {
        UringViability v = viability();
        if (!v.isViable()) {
            throw v.toException();
        }
        return v;
    }
}
