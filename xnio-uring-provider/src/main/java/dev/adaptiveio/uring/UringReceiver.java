package dev.adaptiveio.uring;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.natives.NativeIoException;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
import dev.adaptiveio.core.natives.uring.UringMemory;

/**
 * The inbound side of a {@link UringStreamConnection}: the receive buffer the engine owns, the
 * RECV armed into it, its completion, and the bytes left unread when the connection leaves the
 * engine. A RECV is armed (at the end of the loop iteration) while the connection wants data and
 * nothing completed waits to be read.
 * <p>
 * The buffer's state is guarded by this object's monitor: other threads read after
 * {@code awaitReadable}. Arming and completions happen on the I/O thread only.
 */
final class UringReceiver {

    private final UringStreamConnection connection;
    private final UringIoThread thread;
    private final ConnectionCore core;

    // ---- guarded by this
    private ByteBuffer buffer;
    private long address;
    private int pos;
    private int limit;
    private boolean eof;
    private IOException failure;

    // ---- I/O thread only
    private boolean armed;
    /** The last RECV completion left the socket empty: the next RECV waits for data first. */
    private boolean drained;
    private boolean armWanted;
    /** Another thread wants a RECV armed; the I/O thread arms it when it next flushes. */
    private volatile boolean remoteWanted;

    UringReceiver(UringStreamConnection connection, UringIoThread thread, ConnectionCore core) {
        this.connection = connection;
        this.thread = thread;
        this.core = core;
    }

    /** Asks for a RECV to be armed at the end of the iteration, if none is and nothing waits to be read. */
    void want() {
        if (thread.inThisThread()) {
            armWanted = true;
            connection.scheduleFlushOnce();
        } else {
            remoteWanted = true;
            connection.kick();
        }
    }

    /** I/O thread, at the end of the iteration: arms the RECV that {@link #want()} asked for. */
    void armIfWanted(RingHandle handle) {
        if (!armWanted && !remoteWanted) {
            return;
        }
        armWanted = false;
        remoteWanted = false;
        if (armed || handle == null || !handle.isActive()) {
            return;
        }
        synchronized (this) {
            if (pos < limit || eof || failure != null || connection.isReadShutdown()) {
                return;
            }
            if (buffer == null) {
                buffer = thread.takeRecvBuffer();
                address = UringMemory.address(buffer);
            }
            pos = limit = 0;
        }
        // After a drained socket a plain RECV would try, fail with EAGAIN inside the kernel and
        // then arm a poll: POLL_FIRST goes straight to the poll.
        armed = handle.recv(address, buffer.capacity(), 0, drained && thread.engine().recvPollFirst(),
                UringStreamConnection.TAG);
    }

    int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        synchronized (this) {
            n = takeLocked(dst);
            if (n == 0) {
                return nothingToRead();
            }
        }
        afterTake();
        return n;
    }

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        synchronized (this) {
            for (int i = offset; i < offset + length && pos < limit; i++) {
                total += takeLocked(dsts[i]);
            }
            if (total == 0) {
                boolean any = false;
                for (int i = offset; i < offset + length; i++) {
                    any |= dsts[i].hasRemaining();
                }
                return any ? nothingToRead() : 0;
            }
        }
        afterTake();
        return total;
    }

    private int takeLocked(ByteBuffer dst) {
        int n = Math.min(limit - pos, dst.remaining());
        if (n > 0) {
            dst.put(dst.position(), buffer, pos, n);
            dst.position(dst.position() + n);
            pos += n;
        }
        return n;
    }

    /** this held, no bytes buffered. */
    private int nothingToRead() throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (eof) {
            return -1;
        }
        // Cleared under this lock, which the completion takes before it sets the flag again: a
        // completion is either seen here as bytes or sets the flag after this.
        connection.setReadReady(false);
        want();
        return 0;
    }

    private void afterTake() {
        boolean empty;
        synchronized (this) {
            empty = pos == limit;
            if (empty && !eof && failure == null) {
                // As in nothingToRead: the next completion sets it again after this lock.
                connection.setReadReady(false);
            }
        }
        if (empty) {
            want();
        }
    }

    /**
     * The RECV completed (I/O thread).
     *
     * @return {@code true} if it brought bytes, end of stream or a failure: the connection is read-ready
     */
    boolean completed(int result, int flags) {
        armed = false;
        if (result == -UringConstants.ECANCELED) {
            return false;
        }
        synchronized (this) {
            if (result > 0) {
                pos = 0;
                limit = result;
                // The kernel says whether bytes were left behind (set even after a short read when
                // more arrived meanwhile). Only consulted where the kernel reports it (5.19+).
                drained = (flags & UringConstants.IORING_CQE_F_SOCK_NONEMPTY) == 0;
            } else if (result == 0) {
                eof = true;
            } else {
                failure = NativeIoException.ofResult("recv", result);
            }
        }
        return true;
    }

    /**
     * The engine lets the connection go (I/O thread, no RECV in flight): bytes received and not
     * read travel with the connection when it keeps its fd; the buffer returns to the thread's pool.
     */
    void release(boolean keepFd) {
        synchronized (this) {
            if (keepFd && pos < limit) {
                ByteBuffer carried = ByteBuffer.allocate(limit - pos);
                carried.put(0, buffer, pos, carried.capacity());
                core.carry(carried);
            }
            pos = limit = 0;
            if (buffer != null) {
                thread.returnRecvBuffer(buffer);
                buffer = null;
            }
        }
    }
}
