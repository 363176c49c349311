package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.MulticastMessageChannel;
import org.xnio.channels.SocketAddressBuffer;
import org.xnio.channels.StreamChannel;

/** UDP and pipes (served by XNIO's NIO underneath) and native UNIX domain sockets on an epoll worker. */
class NonTcpFeaturesTest {

    private XnioWorker worker;

    @BeforeEach
    void start() throws Exception {
        worker = EpollWorkers.create(1);
    }

    @AfterEach
    void stop() throws Exception {
        worker.shutdown();
        assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "the epoll worker and its NIO helper terminate");
    }

    @Test
    void udpServerReceivesDatagrams() throws Exception {
        MulticastMessageChannel udp = worker.createUdpServer(new InetSocketAddress("127.0.0.1", 0), OptionMap.EMPTY);
        try (DatagramSocket client = new DatagramSocket()) {
            InetSocketAddress addr = (InetSocketAddress) udp.getLocalAddress();
            byte[] msg = "ping".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(msg, msg.length, InetAddress.getByName("127.0.0.1"), addr.getPort()));
            ByteBuffer buf = ByteBuffer.allocate(64);
            SocketAddressBuffer from = new SocketAddressBuffer();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int n;
            while ((n = udp.receiveFrom(from, buf)) == 0 && System.nanoTime() < deadline) {
                udp.awaitReadable(100, TimeUnit.MILLISECONDS);
            }
            assertEquals(4, n);
            assertNotNull(from.getSourceAddress());
        } finally {
            IoUtils.safeClose(udp);
        }
    }

    @Test
    void fullDuplexPipeCarriesBytes() throws Exception {
        ChannelPipe<StreamChannel, StreamChannel> pipe = worker.createFullDuplexPipe();
        try {
            pipe.getLeftSide().write(ByteBuffer.wrap("left".getBytes(StandardCharsets.US_ASCII)));
            pipe.getLeftSide().flush();
            ByteBuffer buf = ByteBuffer.allocate(16);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (buf.position() < 4 && System.nanoTime() < deadline) {
                if (pipe.getRightSide().read(buf) == 0) {
                    pipe.getRightSide().awaitReadable(100, TimeUnit.MILLISECONDS);
                }
            }
            assertEquals("left", new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
        } finally {
            IoUtils.safeClose(pipe.getLeftSide(), pipe.getRightSide());
        }
    }

    @Test
    void unixSocketServerAcceptsAndEchoes() throws Exception {
        Path dir = Files.createTempDirectory("adaptiveio");
        Path socketPath = dir.resolve("s.sock");
        BlockingQueue<StreamConnection> accepted = new ArrayBlockingQueue<>(1);
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new LocalSocketAddress(socketPath.toString()), ch -> {
                    try {
                        StreamConnection c = ch.accept();
                        if (c != null) {
                            accepted.add(c);
                        }
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                }, OptionMap.EMPTY);
        try {
            server.resumeAccepts();
            try (java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(
                    java.net.UnixDomainSocketAddress.of(socketPath))) {
                StreamConnection c = accepted.poll(10, TimeUnit.SECONDS);
                assertNotNull(c, "accepted over a UNIX socket");
                client.write(ByteBuffer.wrap("unix".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer buf = ByteBuffer.allocate(8);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (buf.position() < 4 && System.nanoTime() < deadline) {
                    if (c.getSourceChannel().read(buf) == 0) {
                        c.getSourceChannel().awaitReadable(100, TimeUnit.MILLISECONDS);
                    }
                }
                assertEquals("unix", new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
                c.close();
            }
            // And outbound: our own UNIX-socket client on the engine.
            StreamConnection out = worker.openStreamConnection(new LocalSocketAddress(socketPath.toString()),
                    null, OptionMap.EMPTY).get();
            assertTrue(out.getIoThread() instanceof EpollIoThread);
            StreamConnection in = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(in, "our UNIX-socket client connected");
            out.getSinkChannel().write(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII)));
            out.getSinkChannel().flush();
            ByteBuffer buf = ByteBuffer.allocate(8);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (buf.position() < 4 && System.nanoTime() < deadline) {
                if (in.getSourceChannel().read(buf) == 0) {
                    in.getSourceChannel().awaitReadable(100, TimeUnit.MILLISECONDS);
                }
            }
            assertEquals("back", new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII));
            IoUtils.safeClose(out, in);
        } finally {
            IoUtils.safeClose(server);
            Files.deleteIfExists(socketPath);
            Files.deleteIfExists(dir);
        }
    }
}
