package dev.adaptiveio.conformance.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/** One accepted connection of the provider under test, and its peer: a plain blocking java.net.Socket. */
public final class Pair implements AutoCloseable {
    public final Server server;
    public final StreamConnection connection;
    public final Socket peer;

    private Pair(Server server, StreamConnection connection, Socket peer) {
        this.server = server;
        this.connection = connection;
        this.peer = peer;
    }

    public static Pair open(TestWorker w, Problems problems) {
        return open(w, OptionMap.EMPTY, problems, null);
    }

    /** @param peerSetup configures the peer socket before connect (e.g. a small receive buffer), may be null */
    public static Pair open(TestWorker w, OptionMap serverOptions, Problems problems, SocketSetup peerSetup) {
        CompletableFuture<StreamConnection> accepted = new CompletableFuture<>();
        Server server = Server.start(w, serverOptions, problems, accepted::complete);
        Socket peer = new Socket();
        try {
            if (peerSetup != null) {
                peerSetup.apply(peer);
            }
            peer.setSoTimeout(15_000);
            peer.connect(server.address(), 5_000);
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException(e);
        }
        StreamConnection c = Await.get(accepted, Duration.ofSeconds(10), "accept on " + w.provider);
        return new Pair(server, c, peer);
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        IoUtils.safeClose(peer);
        IoUtils.safeClose(connection);
        server.close();
    }

    @FunctionalInterface
    public interface SocketSetup {
        void apply(Socket s) throws IOException;
    }
}
