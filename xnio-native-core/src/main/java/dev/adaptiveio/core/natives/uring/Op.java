package dev.adaptiveio.core.natives.uring;

/**
 * The kinds of operation a {@link RingHandle} submits. A kind travels in the submission's
 * user_data together with the handle's generation and a caller-chosen tag, and comes back with
 * the completion.
 */
public final class Op {

    public static final int RECV = 1;
    public static final int SEND = 2;
    public static final int WRITEV = 3;
    public static final int READV = 4;
    public static final int ACCEPT = 5;
    public static final int POLL = 6;
    public static final int CANCEL = 7;
    public static final int SPLICE = 8;
    public static final int NOP = 9;
    public static final int CLOSE = 10;
    public static final int TIMEOUT = 11;

    /** Tags distinguish ops of one kind in flight at once on one handle: {@code 0..MAX_TAG}. */
    public static final int MAX_TAG = 15;

    private Op() {
    }

    public static String name(int kind) {
        switch (kind) {
            case RECV: return "RECV";
            case SEND: return "SEND";
            case WRITEV: return "WRITEV";
            case READV: return "READV";
            case ACCEPT: return "ACCEPT";
            case POLL: return "POLL";
            case CANCEL: return "CANCEL";
            case SPLICE: return "SPLICE";
            case NOP: return "NOP";
            case CLOSE: return "CLOSE";
            case TIMEOUT: return "TIMEOUT";
            default: return "KIND_" + kind;
        }
    }
}
