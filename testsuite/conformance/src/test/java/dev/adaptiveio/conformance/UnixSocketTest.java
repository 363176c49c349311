package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.Channels;

/**
 * UNIX domain stream sockets ({@link LocalSocketAddress}): stock NIO has none and throws
 * UnsupportedOperationException; our providers serve them natively on the engine's own I/O threads
 * (servers, {@code acceptStreamConnection}, outbound connections), io_uring included.
 */
class UnixSocketTest {

    @EachProvider
    void serverAcceptsAndEchoes(String provider) throws Exception {
        Path dir = Files.createTempDirectory("adaptiveio-unix");
        LocalSocketAddress address = new LocalSocketAddress(dir.resolve("s").toString());
        try (TestWorker w = TestWorker.start(provider)) {
            CompletableFuture<StreamConnection> accepted = new CompletableFuture<>();
            if (provider.equals("nio")) {
                assertThrows(UnsupportedOperationException.class,
                        () -> w.worker.createStreamConnectionServer(address, ch -> { }, OptionMap.EMPTY));
                return;
            }
            AcceptingChannel<StreamConnection> server = w.worker.createStreamConnectionServer(address, ch -> {
                try {
                    StreamConnection c = ch.accept();
                    if (c != null) {
                        accepted.complete(c);
                    }
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            }, OptionMap.EMPTY);
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.resumeAccepts();
                assertEquals(address, server.getLocalAddress(), "server's local address");
                client.connect(UnixDomainSocketAddress.of(address.getName()));
                StreamConnection c = accepted.get(10, TimeUnit.SECONDS);
                try {
                    assertNativeThread(w, c.getIoThread());
                    echo(client, c);
                } finally {
                    IoUtils.safeClose(c);
                }
                assertEquals(-1, client.read(ByteBuffer.allocate(1)), "client sees EOF after close()");
            } finally {
                IoUtils.safeClose(server);
            }
            assertFalse(server.isOpen());
        } finally {
            Files.deleteIfExists(dir.resolve("s"));
            Files.delete(dir);
        }
    }

    @EachProvider
    void outboundConnectionAndAcceptStreamConnection(String provider) throws Exception {
        Path dir = Files.createTempDirectory("adaptiveio-unix");
        Path path = dir.resolve("peer");
        try (TestWorker w = TestWorker.start(provider);
             ServerSocketChannel peerServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            peerServer.bind(UnixDomainSocketAddress.of(path));
            LocalSocketAddress target = new LocalSocketAddress(path.toString());
            if (provider.equals("nio")) {
                assertThrows(UnsupportedOperationException.class, () -> w.worker.openStreamConnection(target, null, OptionMap.EMPTY));
                assertThrows(UnsupportedOperationException.class,
                        () -> w.worker.acceptStreamConnection(new LocalSocketAddress(dir.resolve("one").toString()), null, null, OptionMap.EMPTY));
                return;
            }
            IoFuture<StreamConnection> outbound = w.worker.openStreamConnection(target, null, OptionMap.EMPTY);
            try (SocketChannel peer = peerServer.accept()) {
                assertEquals(IoFuture.Status.DONE, outbound.await(10, TimeUnit.SECONDS), "outbound UNIX connect");
                StreamConnection c = outbound.get();
                try {
                    assertNativeThread(w, c.getIoThread());
                    echo(peer, c);
                } finally {
                    IoUtils.safeClose(c);
                }
            }

            LocalSocketAddress one = new LocalSocketAddress(dir.resolve("one").toString());
            IoFuture<StreamConnection> inbound = w.worker.acceptStreamConnection(one, null, null, OptionMap.EMPTY);
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                client.connect(UnixDomainSocketAddress.of(one.getName()));
                assertEquals(IoFuture.Status.DONE, inbound.await(10, TimeUnit.SECONDS), "acceptStreamConnection on a UNIX address");
                StreamConnection c = inbound.get();
                try {
                    assertNativeThread(w, c.getIoThread());
                    echo(client, c);
                } finally {
                    IoUtils.safeClose(c);
                }
            }
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir.resolve("one"));
            Files.delete(dir);
        }
    }

    /** Served by one of the provider's own I/O threads of this worker, not by the NIO helper worker. */
    private static void assertNativeThread(TestWorker w, XnioIoThread t) {
        assertSame(w.worker, t.getWorker(), "connection's I/O thread belongs to the worker");
        String kind = t.getClass().getSimpleName();
        switch (w.provider) {
            case "epoll" -> assertEquals("EpollIoThread", kind);
            case "io_uring" -> assertEquals("UringIoThread", kind);
            default -> assertTrue(kind.equals("EpollIoThread") || kind.equals("UringIoThread"), kind);
        }
    }

    /** 5 bytes from the Java peer through the XNIO connection and back. */
    private static void echo(SocketChannel peer, StreamConnection c) throws IOException {
        peer.write(ByteBuffer.wrap("hello".getBytes()));
        ByteBuffer in = ByteBuffer.allocate(5);
        while (in.hasRemaining()) {
            assertTrue(Channels.readBlocking(c.getSourceChannel(), in, 10, TimeUnit.SECONDS) > 0, "read from the peer");
        }
        in.flip();
        Channels.writeBlocking(c.getSinkChannel(), in, 10, TimeUnit.SECONDS);
        Bounded.flush(c.getSinkChannel(), Duration.ofSeconds(10));
        ByteBuffer back = ByteBuffer.allocate(5);
        peer.configureBlocking(true);
        while (back.hasRemaining() && peer.read(back) > 0) {
            // until all 5 are back
        }
        assertEquals("hello", new String(back.array()));
    }
}
