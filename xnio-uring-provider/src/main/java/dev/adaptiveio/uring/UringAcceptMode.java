package dev.adaptiveio.uring;

import java.util.Locale;

/**
 * How the io_uring engine's threads take connections from a shared listening socket
 * ({@link UringOptions#ACCEPT_MODE}, system property {@code adaptiveio.io_uring.acceptMode}).
 */
public enum UringAcceptMode {
    /**
     * ACCEPT ops on each thread's ring (multishot where the kernel has it), the default: the kernel
     * hands a connection to a ring even while that ring's thread is busy in a handler.
     */
    RING,
    /**
     * POLL_ADD on the listening socket, then {@code accept4} on the thread the poll woke: only a
     * thread that is running takes connections; the rest stay in the backlog for the others.
     */
    READINESS;

    /** The mode when neither the option nor the system property names one. */
    public static final UringAcceptMode DEFAULT = RING;

    static final String ALLOWED = "ring (the default) or readiness";

    /** {@code ring} or {@code readiness}: the spelling of the system property and the WildFly attribute. */
    public String userName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code ring|readiness}, case-insensitive.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static UringAcceptMode parse(String text) {
        String value = text.trim();
        for (UringAcceptMode mode : values()) {
            if (mode.name().equalsIgnoreCase(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("expected " + ALLOWED);
    }

    @Override
    public String toString() {
        return userName();
    }
}
