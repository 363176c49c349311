package dev.adaptiveio.uring;

import java.io.Closeable;

import dev.adaptiveio.core.conn.Linger;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.natives.uring.RingHandle;

/**
 * How a {@link UringStreamConnection} leaves its engine (I/O thread only): on close, output
 * accepted before {@code close()} lingers until it is sent (bounded by
 * {@code adaptiveio.linger.millis}); then every op in flight is cancelled, and the buffers and the
 * fd (unless a detach keeps it for another engine) are released only after the last completion.
 */
final class UringRelease {

    private final UringStreamConnection connection;
    private final UringIoThread thread;

    private boolean releasing;
    private boolean keepFd;
    private boolean released;
    private Runnable whenReleased;
    private final Linger linger = new Linger();

    /**
     * What the I/O thread closes when it shuts down: the connection, through its handlers'
     * {@code forceTermination()} as on every engine (a connection wrapped by XNIO's SSL or StartTLS
     * channel is closed by that channel, so its close listener runs), or, when it already closed
     * and lingers to send output a peer does not read, the lingering (the worker must terminate).
     */
    final Closeable shutdownHook = new Closeable() {
        @Override
        public void close() {
            if (linger.isActive()) {
                endLinger();
            } else {
                connection.forceTermination();
            }
        }

        @Override
        public String toString() {
            return connection.toString();
        }
    };

    UringRelease(UringStreamConnection connection, UringIoThread thread) {
        this.connection = connection;
        this.thread = thread;
    }

    /** The engine has started letting the connection go: no new ops. */
    boolean isReleasing() {
        return releasing;
    }

    /** Closed, and still sending output accepted before the close. */
    boolean isLingering() {
        return linger.isActive();
    }

    /** See {@code NativeStreamConnection.engineRelease}. */
    void release(boolean keepFd, Runnable whenReleased) {
        if (released) {
            // A close finished late (another thread was inside a system call), or a repeat.
            if (!keepFd) {
                connection.core().closeFdIfIdle();
            }
            return;
        }
        if (releasing || linger.isActive()) {
            return;
        }
        if (!keepFd && !thread.isShutdownRequested() && connection.hasOutputToLinger()) {
            // Output accepted before close leaves before the fd goes (bounded by a timer).
            this.whenReleased = whenReleased;
            linger.start(thread, this::lingerExpired);
            connection.scheduleFlushOnce();
            return;
        }
        start(keepFd, whenReleased);
    }

    private void lingerExpired() {
        if (linger.isActive()) {
            CoreLogger.LOG.lingerExpired(connection, connection.pendingOutputBytes(), Linger.MILLIS);
            endLinger();
        }
    }

    /** The lingering output was sent, failed, or may wait no longer. */
    void endLinger() {
        linger.end();
        start(false, whenReleased);
    }

    private void start(boolean keepFd, Runnable whenReleased) {
        releasing = true;
        this.keepFd = keepFd;
        this.whenReleased = whenReleased;
        RingHandle h = connection.handle();
        if (h == null) {
            finish();
            return;
        }
        if (!keepFd) {
            // Late results no longer matter; the buffers stay lent until the completions arrive.
            h.retire();
        }
        h.cancelAll();
        h.release(false);
    }

    /** Every op has completed and the handle is unregistered (or there never was one). */
    void finish() {
        if (released) {
            return;
        }
        released = true;
        connection.freeBuffers(keepFd);
        thread.untrack(shutdownHook);
        connection.releasedFromEngine();
        if (!keepFd) {
            connection.core().closeFdIfIdle();
        }
        Runnable r = whenReleased;
        if (r != null) {
            r.run();
        }
    }
}
