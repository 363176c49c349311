package dev.adaptiveio.core.conn;

import java.nio.ByteBuffer;

/**
 * Output a connection has accepted but not yet handed to the kernel: the bytes of one loop
 * iteration, gathered so they leave in one system call.
 * <p>
 * The memory is a pooled direct buffer ({@link BufferPool}: the I/O thread's own stack first)
 * taken on the first byte and returned as soon as the buffer is empty again, so idle
 * connections hold none. Not thread-safe: the owning connection
 * serialises access.
 */
public final class OutboundBuffer extends PendingOutput {

    /** Bytes one connection may gather before it must send; a system property can change it. */
    public static final int CAPACITY = Integer.getInteger("adaptiveio.gather.bytes", 16 * 1024);
    private static final BufferPool POOL =
            new BufferPool(CAPACITY, Integer.getInteger("adaptiveio.gather.pool", 4096));

    /**
     * Its position and limit serve whichever use came last (append or send), so the buffer
     * needs no second view: a duplicate per acquire would be an allocation per response.
     */
    private ByteBuffer buffer;
    /** Bytes appended (the end of the data) and bytes sent (its start). */
    private int end;
    private int sent;

    public int size() {
        return end - sent;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    /** Room left before the buffer is full. */
    public int room() {
        return buffer == null ? CAPACITY : buffer.capacity() - end;
    }

    /** Copies as much of {@code srcs} as fits; returns the number of bytes taken. */
    public long append(ByteBuffer[] srcs, int offset, int length) {
        long taken = 0;
        for (int i = offset; i < offset + length; i++) {
            taken += append(srcs[i]);
            if (srcs[i].hasRemaining()) {
                break;
            }
        }
        return taken;
    }

    /** Copies as much of {@code src} as fits; returns the number of bytes taken. */
    public int append(ByteBuffer src) {
        int n = Math.min(src.remaining(), room());
        if (n == 0) {
            return 0;
        }
        if (buffer == null) {
            acquire();
        }
        buffer.limit(buffer.capacity()).position(end);
        int limit = src.limit();
        src.limit(src.position() + n);
        buffer.put(src);
        src.limit(limit);
        end += n;
        return n;
    }

    /**
     * The unsent bytes, positioned for reading. The caller may move the position (a write does)
     * but reports what left through {@link #sent}; valid until the next change.
     */
    public ByteBuffer pending() {
        buffer.limit(end).position(sent);
        return buffer;
    }

    /** Marks {@code n} bytes as sent; returns the memory when nothing is left. */
    public void sent(long n) {
        sent += (int) n;
        if (sent == end) {
            release();
        }
    }

    /** Drops everything (nothing is ever lent to the kernel) and returns the memory. */
    @Override
    public void discardUnsent() {
        if (buffer != null) {
            release();
        }
    }

    private void acquire() {
        buffer = POOL.acquire();
        end = 0;
        sent = 0;
    }

    private void release() {
        ByteBuffer b = buffer;
        buffer = null;
        end = 0;
        sent = 0;
        POOL.release(b);
    }

    /** Buffers held by connections right now (for leak checks and metrics). */
    public static int buffersInUse() {
        return POOL.inUse();
    }
}
