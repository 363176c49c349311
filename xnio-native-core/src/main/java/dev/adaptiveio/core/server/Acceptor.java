package dev.adaptiveio.core.server;

import java.io.IOException;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;

/**
 * One I/O thread's share of a {@link NativeTcpServer}: it watches the shared listening socket
 * with its engine's means (epoll readiness, io_uring ACCEPT) and produces the connections that
 * thread serves. Every method but {@link #thread()} and {@link #engineName()} runs on that thread.
 */
public interface Acceptor {

    NativeIoThread thread();

    /** The engine of {@link #thread()}; the server may let only one engine accept. */
    default String engineName() {
        return thread().engineName();
    }

    /** Starts watching the listening socket (nothing is accepted until {@link #update()} says so). */
    void open() throws IOException;

    /** Re-reads {@link NativeTcpServer#isAccepting(Acceptor)} and arms or disarms accordingly. */
    void update();

    /** A connection accepted on this thread, or {@code null} when none is pending. */
    NativeStreamConnection accept() throws IOException;

    /**
     * Stops watching the listening socket; calls {@link NativeTcpServer#acceptorClosed(Acceptor)}
     * once the engine no longer refers to it. Idempotent.
     */
    void close();
}
