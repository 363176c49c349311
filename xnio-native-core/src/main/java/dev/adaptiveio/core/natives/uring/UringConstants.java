package dev.adaptiveio.core.natives.uring;

/**
 * The io_uring ABI numbers we use, as {@code <linux/io_uring.h>}, {@code <poll.h>},
 * {@code <sys/socket.h>} and {@code <errno.h>} define them (identical on x86_64 and aarch64).
 * Netty keeps its own copies package-private, so these are ours.
 */
public final class UringConstants {

    // ---- opcodes (enum io_uring_op)
    public static final byte IORING_OP_NOP = 0;
    public static final byte IORING_OP_READV = 1;
    public static final byte IORING_OP_WRITEV = 2;
    public static final byte IORING_OP_POLL_ADD = 6;
    public static final byte IORING_OP_POLL_REMOVE = 7;
    public static final byte IORING_OP_TIMEOUT = 11;
    public static final byte IORING_OP_ACCEPT = 13;
    public static final byte IORING_OP_ASYNC_CANCEL = 14;
    public static final byte IORING_OP_CONNECT = 16;
    public static final byte IORING_OP_CLOSE = 19;
    public static final byte IORING_OP_READ = 22;
    public static final byte IORING_OP_WRITE = 23;
    public static final byte IORING_OP_SEND = 26;
    public static final byte IORING_OP_RECV = 27;
    public static final byte IORING_OP_SPLICE = 30;
    public static final byte IORING_OP_SHUTDOWN = 34;

    // ---- sqe->flags
    public static final byte IOSQE_FIXED_FILE = 1;
    public static final byte IOSQE_IO_DRAIN = 1 << 1;
    public static final byte IOSQE_IO_LINK = 1 << 2;
    public static final byte IOSQE_IO_HARDLINK = 1 << 3;
    public static final byte IOSQE_ASYNC = 1 << 4;
    public static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    public static final byte IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // ---- cqe->flags
    public static final int IORING_CQE_F_BUFFER = 1;
    /** More completions will follow for this (multishot) submission. */
    public static final int IORING_CQE_F_MORE = 1 << 1;
    /** The socket still had data after this receive. */
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    public static final int IORING_CQE_F_NOTIF = 1 << 3;

    // ---- POLL_ADD: sqe->len and the event mask
    public static final int IORING_POLL_ADD_MULTI = 1;
    public static final int POLLIN = 0x001;
    public static final int POLLPRI = 0x002;
    public static final int POLLOUT = 0x004;
    public static final int POLLERR = 0x008;
    public static final int POLLHUP = 0x010;
    public static final int POLLNVAL = 0x020;
    public static final int POLLRDHUP = 0x2000;

    // ---- RECV/SEND: sqe->ioprio
    public static final short IORING_RECVSEND_POLL_FIRST = 1;
    public static final short IORING_RECV_MULTISHOT = 1 << 1;
    public static final short IORING_RECVSEND_BUNDLE = 1 << 4;

    // ---- ACCEPT: sqe->ioprio
    public static final short IORING_ACCEPT_MULTISHOT = 1;
    public static final short IORING_ACCEPT_DONTWAIT = 1 << 1;
    public static final short IORING_ACCEPT_POLL_FIRST = 1 << 2;

    // ---- ASYNC_CANCEL: sqe->cancel_flags
    public static final int IORING_ASYNC_CANCEL_ALL = 1;
    public static final int IORING_ASYNC_CANCEL_FD = 1 << 1;
    public static final int IORING_ASYNC_CANCEL_ANY = 1 << 2;

    // ---- splice(2) flags
    public static final int SPLICE_F_MOVE = 1;
    public static final int SPLICE_F_NONBLOCK = 2;
    public static final int SPLICE_F_MORE = 4;

    // ---- msg flags and socket flags
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_MORE = 0x8000;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    // ---- errno values io_uring itself reports (completions carry -errno); a socket's errors are
    // NativeIoException's
    public static final int EBADF = 9;
    /** A TIMEOUT op's result when its time ran out. */
    public static final int ETIME = 62;
    public static final int ECANCELED = 125;

    private UringConstants() {
    }

    /** @return {@code true} when the completion flags say more completions follow */
    public static boolean hasMore(int cqeFlags) {
        return (cqeFlags & IORING_CQE_F_MORE) != 0;
    }

    /** A readable name for an opcode, for logs and diagnostics. */
    public static String opcodeName(byte opcode) {
        switch (opcode) {
            case IORING_OP_NOP: return "NOP";
            case IORING_OP_READV: return "READV";
            case IORING_OP_WRITEV: return "WRITEV";
            case IORING_OP_POLL_ADD: return "POLL_ADD";
            case IORING_OP_POLL_REMOVE: return "POLL_REMOVE";
            case IORING_OP_TIMEOUT: return "TIMEOUT";
            case IORING_OP_ACCEPT: return "ACCEPT";
            case IORING_OP_ASYNC_CANCEL: return "ASYNC_CANCEL";
            case IORING_OP_CONNECT: return "CONNECT";
            case IORING_OP_CLOSE: return "CLOSE";
            case IORING_OP_READ: return "READ";
            case IORING_OP_WRITE: return "WRITE";
            case IORING_OP_SEND: return "SEND";
            case IORING_OP_RECV: return "RECV";
            case IORING_OP_SPLICE: return "SPLICE";
            case IORING_OP_SHUTDOWN: return "SHUTDOWN";
            default: return "OP_" + opcode;
        }
    }
}
