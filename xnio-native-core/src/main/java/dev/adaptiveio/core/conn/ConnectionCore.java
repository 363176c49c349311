package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.natives.NativeSocket;

/**
 * What a connection is, whatever engine serves it: the socket fd, its addresses, the
 * XNIO-level options that live above the socket (timeouts), and the bytes already read from
 * the socket that nobody has consumed yet.
 * <p>
 * A core outlives the engine connection that wraps it: {@link NativeStreamConnection#detach}
 * hands the core over in a {@link DetachedConnection}, and another engine adopts it.
 * <p>
 * Ownership: the core owns the fd. Only the I/O thread that currently serves the core closes
 * it, and never while another thread is inside a system call on it ({@link #enter()}), so a
 * closed fd number that the kernel hands out again is never touched through a stale core.
 */
public final class ConnectionCore {

    private final NativeSocket socket;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress peerAddress;
    private ByteBuffer carried;
    private volatile int readTimeoutMillis;
    private volatile int writeTimeoutMillis;

    private static final Runnable NOTHING = () -> { };

    private final AtomicInteger callers = new AtomicInteger();
    private volatile boolean closing;
    private volatile Runnable finishClose = NOTHING;
    private boolean fdClosed;

    public ConnectionCore(NativeSocket socket, SocketAddress localAddress, SocketAddress peerAddress) {
        this.socket = socket;
        this.localAddress = localAddress;
        this.peerAddress = peerAddress;
    }

    public NativeSocket socket() {
        return socket;
    }

    public int fd() {
        return socket.fd();
    }

    public SocketAddress localAddress() {
        SocketAddress a = localAddress;
        if (a == null && !closing) {
            a = localAddress = socket.localSocketAddress();
        }
        return a;
    }

    public SocketAddress peerAddress() {
        SocketAddress a = peerAddress;
        if (a == null && !closing) {
            a = peerAddress = socket.remoteSocketAddress();
        }
        return a;
    }

    // ---- carried bytes (read ahead of the consumer)

    /** Whether bytes read from the socket wait to be consumed. */
    public boolean hasCarried() {
        ByteBuffer c = carried;
        return c != null && c.hasRemaining();
    }

    /** Moves carried bytes into {@code dsts}, in order; returns how many. */
    public long drainCarried(ByteBuffer[] dsts, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length && hasCarried(); i++) {
            n += drainCarried(dsts[i]);
        }
        return n;
    }

    /** Moves carried bytes into {@code dst}; returns how many. */
    public int drainCarried(ByteBuffer dst) {
        ByteBuffer c = carried;
        if (c == null) {
            return 0;
        }
        int n = Math.min(c.remaining(), dst.remaining());
        if (n > 0) {
            int limit = c.limit();
            c.limit(c.position() + n);
            dst.put(c);
            c.limit(limit);
        }
        if (!c.hasRemaining()) {
            carried = null;
        }
        return n;
    }

    /** Hands over carried bytes (positioned for reading); the core owns the buffer afterwards. */
    public void carry(ByteBuffer bytes) {
        if (bytes == null || !bytes.hasRemaining()) {
            return;
        }
        if (carried == null || !carried.hasRemaining()) {
            carried = bytes;
            return;
        }
        ByteBuffer joined = ByteBuffer.allocate(carried.remaining() + bytes.remaining());
        joined.put(carried).put(bytes).flip();
        carried = joined;
    }

    /**
     * Puts back bytes the consumer read but did not use: they are delivered before any bytes
     * already carried.
     */
    public void carryFirst(ByteBuffer bytes) {
        if (bytes == null || !bytes.hasRemaining()) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining() + carriedBytes());
        copy.put(bytes);
        if (carried != null) {
            copy.put(carried);
        }
        carried = copy.flip();
    }

    /** Removes and returns the carried bytes, or {@code null}. */
    public ByteBuffer takeCarried() {
        ByteBuffer c = carried;
        carried = null;
        return c != null && c.hasRemaining() ? c : null;
    }

    public int carriedBytes() {
        ByteBuffer c = carried;
        return c == null ? 0 : c.remaining();
    }

    // ---- XNIO options above the socket

    public int readTimeoutMillis() {
        return readTimeoutMillis;
    }

    public int readTimeoutMillis(int millis) {
        int old = readTimeoutMillis;
        readTimeoutMillis = Math.max(0, millis);
        return old;
    }

    public int writeTimeoutMillis() {
        return writeTimeoutMillis;
    }

    public int writeTimeoutMillis(int millis) {
        int old = writeTimeoutMillis;
        writeTimeoutMillis = Math.max(0, millis);
        return old;
    }

    // ---- system calls from threads other than the serving I/O thread

    /**
     * Set by the connection that serves this core: asks its I/O thread to finish a close that
     * waited for another thread's system call. {@link #exit()} runs it, so no caller can drop it.
     */
    public void servedBy(Runnable finishClose) {
        this.finishClose = finishClose;
    }

    /**
     * Marks the start of a system call made off the I/O thread; pair it with {@link #exit()} in a
     * {@code finally}.
     *
     * @throws ClosedChannelException if the fd is being closed (the guard is then not held)
     */
    public void enter() throws ClosedChannelException {
        callers.incrementAndGet();
        if (closing) {
            exit();
            throw new ClosedChannelException();
        }
    }

    /**
     * Ends a system call started with {@link #enter()}. The last caller to leave a closing core
     * runs the serving connection's close completion: the I/O thread declined to close the fd
     * while this caller was inside.
     */
    public void exit() {
        if (callers.decrementAndGet() == 0 && closing) {
            finishClose.run();
        }
    }

    /** Stops new system calls; the fd closes once the last one has left. */
    public void beginClose() {
        closing = true;
    }

    public boolean isClosing() {
        return closing;
    }

    /**
     * Closes the fd if no other thread is inside a system call on it. I/O thread only.
     *
     * @return {@code true} once the fd is closed
     */
    public boolean closeFdIfIdle() {
        if (fdClosed) {
            return true;
        }
        if (callers.get() != 0) {
            return false;
        }
        fdClosed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // the fd is released whatever close reports
        }
        carried = null;
        return true;
    }

    /** Lets a detached core serve again (adopt). */
    void reopenForAdoption() {
        closing = false;
    }

    @Override
    public String toString() {
        return "core(" + socket + ")";
    }
}
