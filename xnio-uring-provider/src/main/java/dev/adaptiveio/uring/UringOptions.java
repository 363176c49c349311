package dev.adaptiveio.uring;

import org.xnio.Option;

/**
 * Worker options of the io_uring engine, read by the {@code io_uring} provider and by the
 * {@code adaptive} provider's io_uring engine. Each one, when set, wins over its
 * {@code adaptiveio.io_uring.*} system property, which wins over the default.
 */
public final class UringOptions {

    /** Submission queue entries per I/O thread's ring (16..32768; default 256). */
    public static final Option<Integer> RING_SIZE = Option.simple(UringOptions.class, "RING_SIZE", Integer.class);

    /** Bytes of each connection's receive buffer (default 8192). */
    public static final Option<Integer> RECEIVE_BUFFER_SIZE =
            Option.simple(UringOptions.class, "RECEIVE_BUFFER_SIZE", Integer.class);

    /**
     * How the threads accept on a shared listening socket: {@link UringAcceptMode#RING} (the
     * default) or {@link UringAcceptMode#READINESS}.
     */
    public static final Option<UringAcceptMode> ACCEPT_MODE =
            Option.simple(UringOptions.class, "ACCEPT_MODE", UringAcceptMode.class);

    private UringOptions() {
    }
}
