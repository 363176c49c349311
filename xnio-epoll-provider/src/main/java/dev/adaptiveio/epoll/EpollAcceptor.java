package dev.adaptiveio.epoll;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

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

    private static final ThreadLocal<byte[]> ADDRESS_SCRATCH = ThreadLocal.withInitial(() -> new byte[26]);
    /** Connections one readiness event may accept; Netty's transports take 16 per read as well. */
    private static final int ACCEPT_BATCH = 16;

    private final NativeTcpServer server;
    private final EpollIoThread thread;
    private final java.io.Closeable closeOnShutdown = this::close;
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
        int fd;
        try {
            fd = server.listenSocket().accept(ADDRESS_SCRATCH.get());
        } catch (IOException e) {
            if (!server.isOpen()) {
                // close() (another thread) shut the listening socket down under this call: EINVAL,
                // or EBADF once the fd is gone. A closed channel, as XNIO reports it, not a failure.
                throw (ClosedChannelException) new ClosedChannelException().initCause(e);
            }
            throw e;
        }
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
