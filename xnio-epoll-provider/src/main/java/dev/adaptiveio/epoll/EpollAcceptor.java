package dev.adaptiveio.epoll;

import java.io.Closeable;
import java.io.IOException;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollKey;
import dev.adaptiveio.core.natives.epoll.EpollListener;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;

/**
 * A server's listening socket in one I/O thread's epoll set, level-triggered while the thread
 * may accept: every thread whose poll reports a pending connection runs the accept listener,
 * and the one whose {@code accept4} wins serves the connection.
 */
final class EpollAcceptor implements Acceptor, EpollListener {

    /** Connections one readiness event may accept; Netty's transports take 16 per read as well. */
    private static final int ACCEPT_BATCH = 16;

    private final NativeTcpServer server;
    private final EpollIoThread thread;
    private final Closeable closeOnShutdown = this::close;
    private EpollKey key;
    private boolean closed;

    EpollAcceptor(NativeTcpServer server, EpollIoThread thread) {
        this.server = server;
        this.thread = thread;
    }

    @Override
    public EpollIoThread thread() {
        return thread;
    }

    @Override
    public void open() throws IOException {
        key = thread.epoll().register(server.listenFd(), 0, this);
        thread.track(closeOnShutdown);
    }

    @Override
    public void update() {
        if (key != null && key.isValid()) {
            key.interest(server.isAccepting(this) ? EpollFlags.IN : 0);
        }
    }

    /** Up to {@link #ACCEPT_BATCH} connections; the socket is level-triggered, so the rest wakes the next iteration. */
    @Override
    public void onEpollEvents(int readyOps) {
        server.acceptReady(this, ACCEPT_BATCH);
    }

    @Override
    public NativeStreamConnection accept() throws IOException {
        int fd = server.acceptFd();
        if (fd < 0) {
            return null;
        }
        NativeSocket socket = server.wrapAccepted(fd);
        try {
            return new EpollStreamConnection(thread, new ConnectionCore(socket, null, null));
        } catch (Throwable t) {
            // Whatever failed (even a linkage error), the accepted fd must not leak.
            socket.close();
            throw t;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.untrack(closeOnShutdown);
        if (key != null) {
            key.cancel();
            key = null;
        }
        server.acceptorClosed(this);
    }
}
