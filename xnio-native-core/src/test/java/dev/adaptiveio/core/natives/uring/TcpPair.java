package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import dev.adaptiveio.core.natives.NativeSocket;

/** A loopback TCP connection: a raw non-blocking server-side fd and a blocking JDK client. */
final class TcpPair implements AutoCloseable {

    final NativeSocket listener;
    final int serverFd;
    final SocketChannel client;
    private boolean serverFdOwnedByTest = true;

    private TcpPair(NativeSocket listener, int serverFd, SocketChannel client) {
        this.listener = listener;
        this.serverFd = serverFd;
        this.client = client;
    }

    static NativeSocket listen() throws IOException {
        NativeSocket l = NativeSocket.openStream();
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress("127.0.0.1", 0));
        l.listen(64);
        return l;
    }

    static TcpPair open() throws Exception {
        NativeSocket l = listen();
        SocketChannel c = SocketChannel.open(l.localAddress());
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        int fd = acceptWithin(l, 5_000);
        return new TcpPair(l, fd, c);
    }

    static int acceptWithin(NativeSocket l, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        byte[] scratch = new byte[64];
        int fd;
        while ((fd = l.accept(scratch)) < 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no connection accepted within " + millis + " ms");
            }
            Thread.sleep(1);
        }
        return fd;
    }

    void clientWrite(String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            client.write(b);
        }
    }

    /** Reads exactly {@code n} bytes (blocking client). */
    String clientRead(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (client.read(b) < 0) {
                break;
            }
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /** The ring closed the server fd: the test must not close it again. */
    void serverFdClosedElsewhere() {
        serverFdOwnedByTest = false;
    }

    @Override
    public void close() throws IOException {
        client.close();
        if (serverFdOwnedByTest) {
            NativeSocket.wrap(serverFd).close();
        }
        listener.close();
    }
}
