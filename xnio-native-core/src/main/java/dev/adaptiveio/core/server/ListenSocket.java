package dev.adaptiveio.core.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.natives.NativeSocket;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;

/**
 * A server's listening socket, shared by the acceptors of every engine: one non-blocking
 * {@code accept4} for any of them, and a close in two steps. {@link #stopListening()} frees the
 * port at once; {@link #close()} releases the fd once no engine refers to it any more (an
 * io_uring ACCEPT or an epoll registration still naming a closed fd number could meet a new
 * socket that reused it).
 */
final class ListenSocket {

    /** The peer address of an accepted connection (unused: accept4 wants room for it). */
    private static final ThreadLocal<byte[]> ACCEPT_ADDRESS = ThreadLocal.withInitial(() -> new byte[26]);

    private final NativeSocket socket;
    private final ServerOptions settings;
    private final SocketAddress localAddress;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ListenSocket(NativeSocket socket, ServerOptions settings, SocketAddress localAddress) {
        this.socket = socket;
        this.settings = settings;
        this.localAddress = localAddress;
    }

    /**
     * Opens a TCP or UNIX domain socket (as the address is), applies the server's socket options,
     * binds and listens; nothing is left open when it fails.
     */
    static ListenSocket open(SocketAddress bindAddress, OptionMap options) throws IOException {
        boolean domain = bindAddress instanceof LocalSocketAddress;
        NativeSocket socket = domain ? NativeSocket.openDomain() : NativeSocket.openStream();
        try {
            ServerOptions settings = new ServerOptions(socket, options, !domain);
            socket.bind(bindAddress);
            socket.listen(settings.backlog());
            return new ListenSocket(socket, settings, domain ? bindAddress : socket.localAddress());
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The server's options, as set and as the socket has them. */
    ServerOptions settings() {
        return settings;
    }

    SocketAddress localAddress() {
        return localAddress;
    }

    int fd() {
        return socket.fd();
    }

    /** Wraps an accepted fd (TCP or UNIX domain, as this socket). */
    NativeSocket wrapAccepted(int fd) {
        return socket.isDomain() ? NativeSocket.wrapDomain(fd) : NativeSocket.wrap(fd);
    }

    /** One non-blocking accept: the new fd, or -1 when none waits. */
    int accept() throws IOException {
        return socket.accept(ACCEPT_ADDRESS.get());
    }

    /** Stops listening now, so the port is free at once; the fd stays until {@link #close()}. */
    void stopListening() {
        try {
            socket.shutdownInput();
        } catch (IOException ignored) {
            // not listening any more either way
        }
    }

    /** Closes the fd, once; call when no engine refers to it. */
    void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            socket.close();
        }
    }
}
