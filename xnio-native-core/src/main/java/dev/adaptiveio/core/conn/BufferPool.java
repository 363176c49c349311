package dev.adaptiveio.core.conn;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.LockFreeQueues;
import dev.adaptiveio.core.natives.NativeSocket;

/**
 * Pooled direct buffers of one size, for output a connection holds (epoll's gather buffers,
 * io_uring's send chunks).
 * <p>
 * An I/O thread takes and gives back through its own last-in-first-out stack, so the buffer it
 * takes is the one it gave back last, still in cache; a first-in-first-out pool would cycle
 * through every buffer it ever held (at 1,024 connections a thousand buffers, a TLB miss
 * each). Other threads (blocking writers), and an I/O thread whose stack is empty or full, go
 * through a shared bounded queue; buffers beyond both are freed. Stacks are never touched by
 * another thread; what a dead thread's stack held the GC frees (cleaner-backed buffers).
 */
public final class BufferPool {

    /** Buffers one I/O thread keeps for itself: enough for the responses of one busy iteration. */
    private static final int STACK_LIMIT = 256;

    private final int bufferSize;
    private final int stackLimit;
    private final Queue<ByteBuffer> shared;
    private final ThreadLocal<ArrayDeque<ByteBuffer>> stacks = ThreadLocal.withInitial(ArrayDeque::new);
    private final AtomicInteger inUse = new AtomicInteger();

    /**
     * @param bufferSize  each buffer's capacity
     * @param sharedLimit buffers the shared queue keeps; each I/O thread keeps up to as many (at
     *                    most 256) of its own, and {@code 0} turns pooling off
     */
    public BufferPool(int bufferSize, int sharedLimit) {
        this.bufferSize = bufferSize;
        this.stackLimit = Math.max(0, Math.min(STACK_LIMIT, sharedLimit));
        this.shared = LockFreeQueues.newFixedMpmcQueue(Math.max(2, sharedLimit));
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** A cleared buffer of {@link #bufferSize()} bytes; give it back with {@link #release}. */
    public ByteBuffer acquire() {
        ByteBuffer b = null;
        if (Thread.currentThread() instanceof NativeIoThread) {
            b = stacks.get().pollLast();
        }
        if (b == null) {
            b = shared.poll();
            if (b == null) {
                b = NativeSocket.allocateDirect(bufferSize);
            }
        }
        inUse.incrementAndGet();
        return b;
    }

    /** Gives a buffer back; the caller no longer touches it. */
    public void release(ByteBuffer b) {
        inUse.decrementAndGet();
        b.clear();
        if (Thread.currentThread() instanceof NativeIoThread) {
            ArrayDeque<ByteBuffer> stack = stacks.get();
            if (stack.size() < stackLimit) {
                stack.addLast(b);
                return;
            }
        }
        if (stackLimit == 0 || !shared.offer(b)) {
            NativeSocket.freeDirect(b);
        }
    }

    /** Buffers taken and not given back (leak checks and metrics). */
    public int inUse() {
        return inUse.get();
    }
}
