package dev.adaptiveio.core.conn;

import java.io.Closeable;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.EngineId;

/**
 * A live TCP connection between two engines: its fd is open and not shut down, no engine
 * polls it, and the bytes already read from it travel in the core.
 * <p>
 * Whoever holds it owns the fd: {@link #adoptBy} hands it to an engine exactly once, and
 * {@link #close()} closes the fd if nobody adopted it.
 */
public final class DetachedConnection implements Closeable {

    private final ConnectionCore core;
    private final EngineId fromEngine;
    private final long detachedAtNanos;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile EngineId adoptedBy;

    DetachedConnection(ConnectionCore core, EngineId fromEngine) {
        this.core = core;
        this.fromEngine = fromEngine;
        this.detachedAtNanos = System.nanoTime();
    }

    /** The engine the connection was detached from. */
    public EngineId fromEngine() {
        return fromEngine;
    }

    public int fd() {
        return core.fd();
    }

    public SocketAddress peerAddress() {
        return core.peerAddress();
    }

    public SocketAddress localAddress() {
        return core.localAddress();
    }

    /** Bytes read from the socket but not consumed; they are delivered first after adoption. */
    public int carriedBytes() {
        return core.carriedBytes();
    }

    /**
     * Gives back bytes the application had read from this connection but not consumed (for
     * example a pipelined request Undertow read ahead): the adopting engine delivers them
     * first. Call before {@link #adoptBy}.
     */
    public void carryFirst(ByteBuffer unread) {
        if (claimed.get()) {
            throw new IllegalStateException("connection " + core + " was already adopted or closed");
        }
        core.carryFirst(unread);
    }

    public long detachedAtNanos() {
        return detachedAtNanos;
    }

    /**
     * Claims the core for an adopting engine.
     *
     * @param engine the engine that serves the connection from now on (for diagnostics)
     * @throws IllegalStateException if it was adopted or closed already
     */
    public ConnectionCore adoptBy(EngineId engine) {
        if (!claimed.compareAndSet(false, true)) {
            throw new IllegalStateException("connection " + core + " was already adopted or closed");
        }
        adoptedBy = engine;
        core.reopenForAdoption();
        return core;
    }

    /** Closes the fd unless an engine adopted the connection. */
    @Override
    public void close() {
        if (claimed.compareAndSet(false, true)) {
            core.beginClose();
            core.closeFdIfIdle();
        }
    }

    @Override
    public String toString() {
        EngineId to = adoptedBy;
        return "detached " + core + " from " + fromEngine + (to != null ? " adopted by " + to : "")
                + " carrying " + carriedBytes() + " byte(s)";
    }
}
