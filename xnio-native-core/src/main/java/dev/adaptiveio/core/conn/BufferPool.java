package dev.adaptiveio.core.conn;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;

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
 * <p>
 * The count of buffers in use is kept the same way: each I/O thread counts its own with plain
 * stores (no atomic instruction per request), other threads through one atomic, and
 * {@link #inUse()} adds them up.
 */
public final class BufferPool {

    /** Buffers one I/O thread keeps for itself: enough for the responses of one busy iteration. */
    private static final int STACK_LIMIT = 256;

    private final int bufferSize;
    private final int stackLimit;
    private final Queue<ByteBuffer> shared;
    private final ThreadLocal<ThreadStack> stacks = ThreadLocal.withInitial(this::newStack);
    /** Every live I/O thread's count, for {@link #inUse()}; guarded by this, a thread joins once. */
    private Count[] counts = new Count[0];
    /** Buffers taken minus given back by other threads, and by I/O threads that have ended. */
    private final AtomicLong inUseElsewhere = new AtomicLong();

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
            ThreadStack stack = stacks.get();
            stack.taken(1);
            b = stack.buffers.pollLast();
        } else {
            inUseElsewhere.incrementAndGet();
        }
        if (b == null) {
            b = shared.poll();
            if (b == null) {
                b = NativeSocket.allocateDirect(bufferSize);
            }
        }
        return b;
    }

    /** Gives a buffer back; the caller no longer touches it. */
    public void release(ByteBuffer b) {
        b.clear();
        if (Thread.currentThread() instanceof NativeIoThread) {
            ThreadStack stack = stacks.get();
            stack.taken(-1);
            if (stack.buffers.size() < stackLimit) {
                stack.buffers.addLast(b);
                return;
            }
        } else {
            inUseElsewhere.decrementAndGet();
        }
        if (stackLimit == 0 || !shared.offer(b)) {
            NativeSocket.freeDirect(b);
        }
    }

    /**
     * Buffers taken and not given back (leak checks and metrics); exact once the threads that
     * take and give back are quiet, racy while they run. Locked like the fold in
     * {@link #newStack()}, so an ended thread's count is never seen twice.
     */
    public synchronized int inUse() {
        long n = inUseElsewhere.get();
        for (Count c : counts) {
            n += c.taken.get();
        }
        return (int) n;
    }

    private synchronized ThreadStack newStack() {
        // Ended threads never count again: fold theirs into the shared count and forget them.
        Count[] now = counts;
        Count[] kept = new Count[now.length + 1];
        int k = 0;
        for (Count c : now) {
            if (c.owner.isAlive()) {
                kept[k++] = c;
            } else {
                inUseElsewhere.addAndGet(c.taken.get());
            }
        }
        ThreadStack stack = new ThreadStack(new Count(Thread.currentThread()));
        kept[k++] = stack.count;
        counts = Arrays.copyOf(kept, k);
        return stack;
    }

    /** One I/O thread's buffers (the GC frees them when the thread is gone) and its count. */
    private static final class ThreadStack {
        final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
        final Count count;

        ThreadStack(Count count) {
            this.count = count;
        }

        void taken(int delta) {
            count.taken.add(delta);
        }
    }

    /** Taken minus given back on one thread (a buffer may return on another); only it writes. */
    private static final class Count {
        final Thread owner;
        final OwnedCounter taken = new OwnedCounter();

        Count(Thread owner) {
            this.owner = owner;
        }
    }
}
