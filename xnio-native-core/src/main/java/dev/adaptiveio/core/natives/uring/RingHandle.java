package dev.adaptiveio.core.natives.uring;

import java.util.Arrays;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;

import static dev.adaptiveio.core.natives.uring.UringConstants.*;

/**
 * One file descriptor's place on a {@link Ring}: submits ops on it, tracks each op until its
 * last completion, and hands completions to its {@link CompletionListener}.
 * <p>
 * Every method must be called on the ring's thread. Memory addresses passed here must stay
 * valid until the op's final completion (see {@link CompletionListener}).
 * <p>
 * Life cycle: {@linkplain #retire() retire} (optional) makes completions of everything submitted
 * so far stale, {@linkplain #cancelAll() cancelAll} asks the kernel to finish every op now, and
 * {@linkplain #release(boolean) release} waits for the last completion, optionally closes the fd
 * through the ring, unregisters, then calls {@link CompletionListener#onReleased}. Unregistering
 * with ops in flight is never done: Netty's {@code cancel()} would not cancel them.
 */
public final class RingHandle {

    private static final int ACTIVE = 0;
    private static final int DRAINING = 1;
    private static final int CLOSING_FD = 2;
    private static final int UNREGISTERING = 3;
    private static final int RELEASED = 4;

    private static final long NO_OFFSET = -1L;

    private final Ring ring;
    private final int fd;
    private final CompletionListener listener;
    final NettyHandle nettyHandle = new NettyHandle();
    private IoRegistration registration;

    private int generation;
    private int state = ACTIVE;
    private boolean closeFdOnRelease;
    private int closeResult;
    private int cancelTag;
    private Object attachment;

    // Ops in flight: packed user_data, Netty's id (the kernel's user_data), cancel requested.
    private int[] inflightData = new int[4];
    private long[] inflightIds = new long[4];
    private boolean[] inflightCancelled = new boolean[4];
    private int inflight;

    RingHandle(Ring ring, int fd, CompletionListener listener, int generation) {
        this.ring = ring;
        this.fd = fd;
        this.listener = listener;
        this.generation = generation & UserDataCodec.GENERATION_MASK;
    }

    void registered(IoRegistration registration) {
        this.registration = registration;
    }

    public int fd() {
        return fd;
    }

    public Ring ring() {
        return ring;
    }

    /** The generation completions must carry to reach the listener. */
    public int generation() {
        return generation;
    }

    /** {@code true} until {@link #release} is called: new ops may be submitted. */
    public boolean isActive() {
        return state == ACTIVE;
    }

    public boolean isReleased() {
        return state == RELEASED;
    }

    /** Ops submitted and not yet finally completed, including stale and cancel ops. */
    public int inflightCount() {
        return inflight;
    }

    /** Whether an op of this kind and tag, of the current generation, is in flight. */
    public boolean isInflight(int kind, int tag) {
        return indexOf(UserDataCodec.encode(kind, generation, tag)) >= 0;
    }

    /** Whether any op of this kind (any tag, current generation) is in flight. */
    public boolean isInflight(int kind) {
        for (int i = 0; i < inflight; i++) {
            int d = inflightData[i];
            if (UserDataCodec.kind(d) == kind && UserDataCodec.generation(d) == generation) {
                return true;
            }
        }
        return false;
    }

    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    // ---- submissions; each returns false when the handle no longer accepts ops

    /** {@code recv(fd, address, length, msgFlags)} into caller-owned memory. */
    public boolean recv(long address, int length, int msgFlags, int tag) {
        return recv(address, length, msgFlags, false, tag);
    }

    /**
     * As {@link #recv(long, int, int, int)}; with {@code pollFirst} ({@link UringConstants#IORING_RECVSEND_POLL_FIRST},
     * kernel 5.19+) the kernel waits for readiness before it tries to receive, which saves a
     * receive bound to fail when the caller knows the socket was drained.
     */
    public boolean recv(long address, int length, int msgFlags, boolean pollFirst, int tag) {
        return submit(Op.RECV, tag, IORING_OP_RECV, (byte) 0, pollFirst ? IORING_RECVSEND_POLL_FIRST : 0, fd, 0L,
                address, length, msgFlags, 0);
    }

    /** {@code send(fd, address, length, msgFlags | MSG_NOSIGNAL)} from caller-owned memory. */
    public boolean send(long address, int length, int msgFlags, int tag) {
        return submit(Op.SEND, tag, IORING_OP_SEND, (byte) 0, (short) 0, fd, 0L, address, length,
                msgFlags | MSG_NOSIGNAL, 0);
    }

    /** {@code writev(fd, iov, count)}; the iovec array and what it points to stay caller-owned. */
    public boolean writev(long iovAddress, int iovCount, int tag) {
        return submit(Op.WRITEV, tag, IORING_OP_WRITEV, (byte) 0, (short) 0, fd, 0L, iovAddress, iovCount, 0, 0);
    }

    /** {@code readv(fd, iov, count)}. */
    public boolean readv(long iovAddress, int iovCount, int tag) {
        return submit(Op.READV, tag, IORING_OP_READV, (byte) 0, (short) 0, fd, 0L, iovAddress, iovCount, 0, 0);
    }

    /**
     * Accepts on this listening fd. Each completion's result is a new non-blocking, close-on-exec
     * fd (or {@code -errno}). A multishot accept keeps completing while
     * {@link UringConstants#hasMore} holds; re-arm when it does not.
     */
    public boolean accept(boolean multishot, int tag) {
        return submit(Op.ACCEPT, tag, IORING_OP_ACCEPT, (byte) 0, multishot ? IORING_ACCEPT_MULTISHOT : 0, fd,
                0L, 0L, 0, SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }

    /**
     * Waits for readiness without moving data; the result is the ready {@code POLL*} mask.
     *
     * @param pollMask  {@link UringConstants#POLLIN}, {@link UringConstants#POLLOUT}, ...
     * @param multishot keep reporting until cancelled
     */
    public boolean pollAdd(int pollMask, boolean multishot, int tag) {
        return submit(Op.POLL, tag, IORING_OP_POLL_ADD, (byte) 0, (short) 0, fd, 0L, 0L,
                multishot ? IORING_POLL_ADD_MULTI : 0, pollMask, 0);
    }

    /**
     * {@code splice(fdIn, offIn, fdOut, offOut, length, flags)}; one side must be a pipe. An
     * offset of {@code -1} means "the fd's own position" (required for pipes and sockets).
     */
    public boolean splice(int fdIn, long offIn, int fdOut, long offOut, int length, int spliceFlags, int tag) {
        return submit(Op.SPLICE, tag, IORING_OP_SPLICE, (byte) 0, (short) 0, fdOut, offOut, offIn, length,
                spliceFlags, fdIn);
    }

    /**
     * A relative timeout (IORING_OP_TIMEOUT with no completion count): completes with
     * {@code -ETIME} when the time in the {@code struct __kernel_timespec} at
     * {@code timespecAddress} has passed. The kernel copies the timespec when the op is
     * submitted, so the memory need only last until the ring's next submission.
     */
    public boolean timeout(long timespecAddress, int tag) {
        return submit(Op.TIMEOUT, tag, IORING_OP_TIMEOUT, (byte) 0, (short) 0, -1, 0L, timespecAddress, 1, 0, 0);
    }

    /** A no-op: completes with {@code 0} after a trip through the ring. */
    public boolean nop(int tag) {
        return submit(Op.NOP, tag, IORING_OP_NOP, (byte) 0, (short) 0, -1, 0L, 0L, 0, 0, 0);
    }

    /**
     * Asks the kernel to finish the in-flight op of this kind and tag now (its completion will
     * carry {@code -ECANCELED}, or its real result if it was already done).
     *
     * @return {@code true} if such an op was in flight and a cancel was submitted
     */
    public boolean cancel(int kind, int tag) {
        checkThread();
        int target = UserDataCodec.encode(kind, generation, tag);
        int i = indexOf(target);
        if (i < 0 || inflightCancelled[i]) {
            return false;
        }
        return submitCancel(i);
    }

    /**
     * Asks the kernel to finish every op in flight now, stale ones included.
     *
     * @return the number of cancel requests submitted
     */
    public int cancelAll() {
        checkThread();
        int n = 0;
        // submitCancel appends to the table; look only at what was there before.
        int count = inflight;
        for (int i = 0; i < count; i++) {
            int kind = UserDataCodec.kind(inflightData[i]);
            if (kind == Op.CANCEL || kind == Op.CLOSE || inflightCancelled[i]) {
                continue;
            }
            if (submitCancel(i)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Starts a new generation: ops already submitted still complete and are tracked, but their
     * completions no longer reach the listener. Used when their results no longer matter (close).
     */
    public void retire() {
        checkThread();
        generation = (generation + 1) & UserDataCodec.GENERATION_MASK;
    }

    /**
     * Stops accepting ops; once every op in flight has completed, closes the fd with
     * {@code IORING_OP_CLOSE} if asked, unregisters from the ring and calls
     * {@link CompletionListener#onReleased}. Does not cancel anything: call {@link #cancelAll()}
     * first unless the ops in flight are bound to complete by themselves.
     */
    public void release(boolean closeFd) {
        checkThread();
        if (state != ACTIVE) {
            return;
        }
        closeFdOnRelease = closeFd;
        state = DRAINING;
        maybeFinishDraining();
    }

    // ---- internals

    private boolean submitCancel(int index) {
        long target = inflightIds[index];
        for (int attempt = 0; attempt <= Op.MAX_TAG; attempt++) {
            int tag = cancelTag++ & Op.MAX_TAG;
            if (indexOf(UserDataCodec.encode(Op.CANCEL, generation, tag)) < 0) {
                inflightCancelled[index] = true;
                if (submitInternal(Op.CANCEL, tag, IORING_OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0L, target,
                        0, 0, 0)) {
                    ring.cancelsSubmitted++;
                    return true;
                }
                inflightCancelled[index] = false;
                return false;
            }
        }
        // 16 cancels in flight on one handle: the earlier ones will settle it.
        return false;
    }

    private boolean submit(int kind, int tag, byte opcode, byte flags, short ioPrio, int fd, long union1, long union2,
                           int len, int union3, int union5) {
        checkThread();
        if (state != ACTIVE) {
            return false;
        }
        if (tag < 0 || tag > Op.MAX_TAG) {
            throw new IllegalArgumentException("tag " + tag + " outside 0.." + Op.MAX_TAG);
        }
        return submitInternal(kind, tag, opcode, flags, ioPrio, fd, union1, union2, len, union3, union5);
    }

    private boolean submitInternal(int kind, int tag, byte opcode, byte flags, short ioPrio, int fd, long union1,
                                   long union2, int len, int union3, int union5) {
        if (state == UNREGISTERING || state == RELEASED) {
            return false;
        }
        int packed = UserDataCodec.encode(kind, generation, tag);
        if (indexOf(packed) >= 0) {
            throw new IllegalStateException(Op.name(kind) + " with tag " + tag + " is already in flight on fd " + this.fd);
        }
        // One IoUringIoOps per SQE is what Netty 4.2's public API allows: the class is final with
        // final fields, and IoRegistration.submit reads it once into the SQE and drops it. A
        // reusable or pooled alternative would mean reaching into Netty's package-private
        // submission queue, which a Netty update may change without notice; the object is small,
        // dies young, and C2 may scalar-replace it where submit inlines.
        long id = registration.submit(new IoUringIoOps(opcode, flags, ioPrio, fd, union1, union2, len, union3,
                UserDataCodec.toNetty(packed), (short) 0, (short) 0, union5, 0L));
        if (id == 0L) {
            return false;
        }
        add(packed, id);
        ring.submissions++;
        return true;
    }

    private void add(int packed, long id) {
        if (inflight == inflightData.length) {
            int n = inflight * 2;
            inflightData = Arrays.copyOf(inflightData, n);
            inflightIds = Arrays.copyOf(inflightIds, n);
            inflightCancelled = Arrays.copyOf(inflightCancelled, n);
        }
        inflightData[inflight] = packed;
        inflightIds[inflight] = id;
        inflightCancelled[inflight] = false;
        inflight++;
    }

    private void removeAt(int i) {
        int last = --inflight;
        inflightData[i] = inflightData[last];
        inflightIds[i] = inflightIds[last];
        inflightCancelled[i] = inflightCancelled[last];
    }

    private int indexOf(int packed) {
        for (int i = 0; i < inflight; i++) {
            if (inflightData[i] == packed) {
                return i;
            }
        }
        return -1;
    }

    private void checkThread() {
        if (!ring.inRingThread()) {
            throw new IllegalStateException("io_uring handle of fd " + fd + " used outside its ring's thread "
                    + ring.owner().getName() + ": " + Thread.currentThread().getName());
        }
    }

    private void complete(int packed, int res, int flags) {
        ring.completions++;
        int i = indexOf(packed);
        if (i < 0) {
            // Netty routes by registration, and we track everything we submit: cannot happen.
            ring.unknownCompletions++;
            return;
        }
        if (!hasMore(flags)) {
            removeAt(i);
        }
        int kind = UserDataCodec.kind(packed);
        if (kind == Op.CLOSE) {
            closeResult = res;
            unregister();
            return;
        }
        if (UserDataCodec.generation(packed) != generation) {
            ring.staleCompletions++;
        } else {
            listener.onCompletion(this, kind, UserDataCodec.tag(packed), res, flags);
        }
        maybeFinishDraining();
    }

    private void maybeFinishDraining() {
        if (state != DRAINING || inflight != 0) {
            return;
        }
        if (closeFdOnRelease) {
            state = CLOSING_FD;
            if (submitInternal(Op.CLOSE, 0, IORING_OP_CLOSE, (byte) 0, (short) 0, fd, 0L, 0L, 0, 0, 0)) {
                return;
            }
            closeResult = -EBADF;
        }
        unregister();
    }

    private void unregister() {
        state = UNREGISTERING;
        // Runs unregistered() now, or after the completion being handled returns.
        if (!registration.cancel()) {
            unregistered();
        }
    }

    private void unregistered() {
        if (state == RELEASED) {
            return;
        }
        state = RELEASED;
        ring.handleReleased(this);
        listener.onReleased(this, closeFdOnRelease, closeFdOnRelease ? closeResult : 0);
    }

    private void ringClosing() {
        try {
            listener.onRingClosing(this);
        } finally {
            if (state == ACTIVE) {
                retire();
                cancelAll();
                release(false);
            }
        }
    }

    @Override
    public String toString() {
        return "io_uring handle fd=" + fd + " gen=" + generation + " inflight=" + inflight;
    }

    /** The face Netty sees; kept apart so that no Netty type shows in our public API. */
    final class NettyHandle implements IoUringIoHandle {

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            IoUringIoEvent event = (IoUringIoEvent) ioEvent;
            complete(UserDataCodec.fromNetty(event.userData()), event.res(), event.flags());
        }

        @Override
        public void unregistered() {
            RingHandle.this.unregistered();
        }

        @Override
        public void close() {
            ringClosing();
        }
    }
}
