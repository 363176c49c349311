package dev.adaptiveio.uring;

import org.xnio.Option;

/**
 * Worker options of the io_uring engine (they override the {@code adaptiveio.io_uring.*} system
 * properties).
 */
public final class UringOptions {

    /** Submission queue entries per I/O thread's ring (16..32768; default 256). */
    public static final Option<Integer> RING_SIZE = Option.simple(UringOptions.class, "RING_SIZE", Integer.class);

    /** Bytes of each connection's receive buffer (default 8192). */
    public static final Option<Integer> RECEIVE_BUFFER_SIZE =
            Option.simple(UringOptions.class, "RECEIVE_BUFFER_SIZE", Integer.class);

    private UringOptions() {
    }
}
