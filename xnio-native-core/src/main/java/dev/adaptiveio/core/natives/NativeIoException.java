package dev.adaptiveio.core.natives;

import java.io.IOException;

/**
 * A system call or io_uring op that failed with an errno: callers classify it by
 * {@link #errno()}, never by its message, which is for people
 * ({@code "recv failed: Connection reset by peer (errno 104)"}).
 */
public final class NativeIoException extends IOException {

    private static final long serialVersionUID = 1L;

    // Linux errno values (the same on x86_64 and aarch64).
    public static final int EPIPE = 32;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int EHOSTUNREACH = 113;

    private final String op;
    private final int errno;

    /**
     * @param op    what failed ({@code "recv"}, {@code "send"}...)
     * @param errno the positive errno value
     */
    public NativeIoException(String op, int errno) {
        super(op + " failed: " + reason(errno) + " (errno " + errno + ")");
        this.op = op;
        this.errno = errno;
    }

    /** From an io_uring completion's negative result. */
    public static NativeIoException ofResult(String op, int result) {
        return new NativeIoException(op, -result);
    }

    public String op() {
        return op;
    }

    /** The positive errno value. */
    public int errno() {
        return errno;
    }

    /**
     * Whether {@code errno} only says that the peer went away or the path to it broke (reset,
     * broken pipe, aborted, timed out, no longer connected): the end of a connection, not a fault of the engine.
     */
    public static boolean isPeerGone(int errno) {
        switch (errno) {
            case ECONNRESET:
            case EPIPE:
            case ECONNABORTED:
            case ETIMEDOUT:
            case ENOTCONN:
                return true;
            default:
                return false;
        }
    }

    /** strerror's text for the errno values a connection meets; the number otherwise. */
    static String reason(int errno) {
        switch (errno) {
            case 4: return "Interrupted system call";
            case 9: return "Bad file descriptor";
            case 11: return "Resource temporarily unavailable";
            case 12: return "Cannot allocate memory";
            case 14: return "Bad address";
            case 22: return "Invalid argument";
            case EPIPE: return "Broken pipe";
            case 105: return "No buffer space available";
            case ECONNABORTED: return "Software caused connection abort";
            case ECONNRESET: return "Connection reset by peer";
            case ENOTCONN: return "Transport endpoint is not connected";
            case ETIMEDOUT: return "Connection timed out";
            case 111: return "Connection refused";
            case EHOSTUNREACH: return "No route to host";
            case 125: return "Operation canceled";
            default: return "Unknown error " + errno;
        }
    }
}
