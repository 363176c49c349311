package dev.adaptiveio.uring;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.adaptiveio.core.conn.BufferPool;
import dev.adaptiveio.core.conn.PendingOutput;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.IovecArray;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringMemory;

/**
 * Output a connection accepted and the kernel has not yet confirmed: a short chain of pooled
 * direct chunks. At most one SEND/WRITEV is in flight; bytes appended meanwhile go after the
 * region the kernel is reading, and chunks return to the pool only once the kernel's completion
 * says their bytes are gone. Not thread-safe: the connection serialises access.
 */
final class SendQueue extends PendingOutput {

    static final int CHUNK = Integer.getInteger("adaptiveio.io_uring.sendChunk", 16 * 1024);
    /** Chunks a connection may fill before writes return 0 (back-pressure). */
    static final int MAX_CHUNKS = Math.max(1, Integer.getInteger("adaptiveio.io_uring.sendChunks", 4));
    private static final BufferPool POOL =
            new BufferPool(CHUNK, Integer.getInteger("adaptiveio.io_uring.sendPool", 4096));

    /** Each chunk's position is how far it is filled; the head's bytes before {@link #headRead} are sent. */
    // A plain array (oldest first, at most MAX_CHUNKS): walking it for a WRITEV allocates no iterator.
    private final ByteBuffer[] chunks = new ByteBuffer[MAX_CHUNKS];
    private int count;
    private int headRead;
    private long size;
    private long inflight;
    private IovecArray iov;

    /** Bytes accepted and not yet confirmed sent (including those in flight). */
    long size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    boolean isInflight() {
        return inflight > 0;
    }

    long room() {
        ByteBuffer tail = count == 0 ? null : chunks[count - 1];
        return (long) (MAX_CHUNKS - count) * CHUNK + (tail == null ? 0 : tail.remaining());
    }

    /** Copies as much of {@code src} as fits; returns the bytes taken. */
    int append(ByteBuffer src) {
        int taken = 0;
        while (src.hasRemaining()) {
            ByteBuffer tail = count == 0 ? null : chunks[count - 1];
            if (tail == null || !tail.hasRemaining()) {
                if (count == MAX_CHUNKS) {
                    break;
                }
                tail = acquire();
                chunks[count++] = tail;
            }
            int n = Math.min(src.remaining(), tail.remaining());
            int limit = src.limit();
            src.limit(src.position() + n);
            tail.put(src);
            src.limit(limit);
            taken += n;
        }
        size += taken;
        return taken;
    }

    long append(ByteBuffer[] srcs, int offset, int length) {
        long taken = 0;
        for (int i = offset; i < offset + length; i++) {
            taken += append(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return taken;
    }

    /**
     * Lends everything unsent to the kernel: one SEND for a single chunk, one WRITEV otherwise.
     *
     * @return {@code false} if the handle refused the op
     */
    boolean submit(RingHandle handle, int tag) {
        if (inflight != 0 || size == 0) {
            throw new IllegalStateException("submit with " + inflight + " in flight and " + size + " queued");
        }
        boolean ok;
        long bytes;
        if (count == 1) {
            ByteBuffer head = chunks[0];
            bytes = head.position() - headRead;
            ok = handle.send(UringMemory.address(head) + headRead, (int) bytes, 0, tag);
        } else {
            if (iov == null) {
                iov = new IovecArray(MAX_CHUNKS);
            }
            iov.clear();
            for (int i = 0; i < count; i++) {
                ByteBuffer c = chunks[i];
                int from = i == 0 ? headRead : 0;
                iov.add(UringMemory.address(c) + from, c.position() - from);
            }
            bytes = iov.bytes();
            ok = handle.writev(iov.address(), iov.count(), tag);
        }
        if (ok) {
            inflight = bytes;
        }
        return ok;
    }

    /**
     * Sends what is queued with a direct system call, for the rare paths that must know now
     * (shutting down output). Only when nothing is in flight, which would otherwise be overtaken.
     *
     * @return the bytes the kernel took
     */
    long sendNow(NativeSocket socket) throws IOException {
        if (inflight != 0) {
            throw new IllegalStateException("direct send with " + inflight + " bytes in flight");
        }
        ByteBuffer[] views = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            ByteBuffer v = chunks[i].duplicate();
            v.flip();
            if (i == 0) {
                v.position(headRead);
            }
            views[i] = v;
        }
        long n = socket.write(views, 0, views.length);
        if (n > 0) {
            completed(n);
        }
        return n;
    }

    /** The kernel took {@code sent} bytes of the op in flight (fewer on a short send). */
    void completed(long sent) {
        inflight = 0;
        size -= sent;
        long left = sent;
        while (left > 0) {
            ByteBuffer head = chunks[0];
            int avail = head.position() - headRead;
            int take = (int) Math.min(avail, left);
            headRead += take;
            left -= take;
            if (headRead == head.position() && (head.position() == head.capacity() || count > 1 || size == 0)) {
                release(pollFirst());
                headRead = 0;
            }
        }
        if (size == 0 && count > 0) {
            // A fully sent chunk that was still being filled: nothing in it is pending.
            while (count > 0) {
                release(pollFirst());
            }
            headRead = 0;
        }
    }

    /** The op in flight ended without sending (cancelled or failed). */
    void failed() {
        inflight = 0;
    }

    /**
     * Only while nothing is in flight: the bytes queued behind a SEND stay with it (a chunk may hold
     * both), and the kernel's completion settles them.
     */
    @Override
    public void discardUnsent() {
        if (!isInflight()) {
            discard();
        }
    }

    /** Drops every byte not lent to the kernel; returns all memory when nothing is in flight. */
    void discard() {
        if (inflight != 0) {
            throw new IllegalStateException("discard with " + inflight + " bytes in flight");
        }
        while (count > 0) {
            release(pollFirst());
        }
        headRead = 0;
        size = 0;
    }

    /** Frees the iovec memory; the queue must be empty and idle. */
    void free() {
        discard();
        if (iov != null) {
            iov.free();
            iov = null;
        }
    }

    private ByteBuffer pollFirst() {
        ByteBuffer first = chunks[0];
        System.arraycopy(chunks, 1, chunks, 0, --count);
        chunks[count] = null;
        return first;
    }

    private static ByteBuffer acquire() {
        return POOL.acquire();
    }

    private static void release(ByteBuffer b) {
        POOL.release(b);
    }

    /** Chunks held by connections now (leak checks). */
    static int chunksInUse() {
        return POOL.inUse();
    }
}
