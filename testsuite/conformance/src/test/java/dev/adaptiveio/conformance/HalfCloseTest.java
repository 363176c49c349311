package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import dev.adaptiveio.conformance.support.Watchdog;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.Channels;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/** Half-close in both directions: each side can still read after shutting down its writes. */
class HalfCloseTest {
    private static final int BODY = 256 * 1024;

    /** The provider shuts down its writes first; the peer sees EOF, then sends a body the provider still reads. */
    @EachProvider
    @SuppressWarnings("try") // resources held open for the peer's sake
    void providerShutsDownWritesThenKeepsReading(String provider) throws Exception {
        Problems problems = new Problems();
        CompletableFuture<long[]> received = new CompletableFuture<>(); // {bytes, crc}
        byte[] greeting = "HELLO".getBytes(StandardCharsets.US_ASCII);
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> {
                 ConduitStreamSinkChannel sink = c.getSinkChannel();
                 ConduitStreamSourceChannel source = c.getSourceChannel();
                 try {
                     ByteBuffer g = ByteBuffer.wrap(greeting);
                     sink.write(g);
                     assertEquals(0, g.remaining(), "5 bytes fit in an empty socket buffer");
                     sink.shutdownWrites();
                     assertTrue(sink.flush(), "nothing buffered, flush completes");
                 } catch (IOException e) {
                     received.completeExceptionally(e);
                     return;
                 }
                 CRC32 crc = new CRC32();
                 long[] total = {0};
                 ByteBuffer buf = ByteBuffer.allocate(8192);
                 source.setReadListener(ch -> {
                     try {
                         int n;
                         while ((n = ch.read(buf)) > 0) {
                             buf.flip();
                             crc.update(buf);
                             buf.clear();
                             total[0] += n;
                         }
                         if (n < 0) {
                             received.complete(new long[] {total[0], crc.getValue()});
                             IoUtils.safeClose(c);
                         }
                     } catch (IOException e) {
                         received.completeExceptionally(e);
                         IoUtils.safeClose(c);
                     }
                 });
                 source.resumeReads();
             });
             Socket s = new Socket();
             Watchdog guard = Watchdog.closeAfter(s, Duration.ofSeconds(60))) {
            s.setSoTimeout(15_000);
            s.connect(server.address(), 5_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] got = new byte[greeting.length];
            in.readFully(got);
            assertEquals("HELLO", new String(got, StandardCharsets.US_ASCII));
            assertEquals(-1, in.read(), "peer sees EOF after the provider's shutdownWrites");
            byte[] body = new byte[BODY];
            new Payload(1).fill(body, 0, BODY, 0);
            OutputStream out = s.getOutputStream();
            out.write(body); // the provider's read side is still open
            s.shutdownOutput();
            long[] r = Await.get(received, Duration.ofSeconds(20), "body read after shutdownWrites");
            assertEquals(BODY, r[0], "bytes read after shutdownWrites");
            assertEquals(crc(body), r[1], "CRC32 of the body");
        }
        problems.assertNone();
    }

    /** The peer shuts down its output: the provider reads the body, then -1, and can still answer. */
    @EachProvider
    @SuppressWarnings("try") // resources held open for the peer's sake
    void peerShutdownOutputGivesEofThenProviderStillWrites(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> {
                 CRC32 crc = new CRC32();
                 long[] total = {0};
                 ByteBuffer buf = ByteBuffer.allocate(8192);
                 c.getSourceChannel().setReadListener(ch -> {
                     try {
                         int n;
                         while ((n = ch.read(buf)) > 0) {
                             buf.flip();
                             crc.update(buf);
                             buf.clear();
                             total[0] += n;
                         }
                         if (n < 0) {
                             ch.suspendReads();
                             if (ch.read(buf) != -1) {
                                 problems.add("EOF is not sticky: a second read after -1 did not return -1");
                             }
                             ByteBuffer answer = ByteBuffer.wrap((total[0] + " " + crc.getValue()).getBytes(StandardCharsets.US_ASCII));
                             ConduitStreamSinkChannel sink = c.getSinkChannel();
                             sink.write(answer);
                             if (answer.hasRemaining()) {
                                 problems.add("short answer fits an empty socket buffer, but " + answer.remaining() + " bytes were left");
                             }
                             sink.shutdownWrites();
                             sink.flush();
                             IoUtils.safeClose(c);
                         }
                     } catch (IOException e) {
                         problems.add(e);
                         IoUtils.safeClose(c);
                     }
                 });
                 c.getSourceChannel().resumeReads();
             });
             Socket s = new Socket();
             Watchdog guard = Watchdog.closeAfter(s, Duration.ofSeconds(60))) {
            s.setSoTimeout(15_000);
            s.connect(server.address(), 5_000);
            byte[] body = new byte[BODY];
            new Payload(2).fill(body, 0, BODY, 0);
            s.getOutputStream().write(body);
            s.shutdownOutput();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(BODY + " " + crc(body), answer, "provider's answer after reading the peer's EOF");
            Await.until(() -> server.closed.get() == 1, Duration.ofSeconds(10), "server-side connection closed");
        }
        problems.assertNone();
    }

    /** Same two directions on an outbound connection of the provider, against a plain ServerSocket. */
    @EachProvider
    void outboundConnectionHalfCloses(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider); ServerSocket listener = new ServerSocket(0, 50, Server.LOOPBACK)) {
            listener.setSoTimeout(10_000);
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(
                    new InetSocketAddress(Server.LOOPBACK, listener.getLocalPort()), null, OptionMap.EMPTY);
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout(15_000);
                assertEquals(IoFuture.Status.DONE, future.await(10, TimeUnit.SECONDS));
                StreamConnection c = future.get();
                try {
                    byte[] body = new byte[BODY];
                    new Payload(3).fill(body, 0, BODY, 0);
                    ByteBuffer out = ByteBuffer.wrap(body);
                    CompletableFuture<byte[]> peerRead = CompletableFuture.supplyAsync(() -> {
                        try {
                            return peer.getInputStream().readAllBytes();
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    });
                    while (out.hasRemaining()) {
                        Channels.writeBlocking(c.getSinkChannel(), out, 10, TimeUnit.SECONDS);
                    }
                    c.getSinkChannel().shutdownWrites();
                    Bounded.flush(c.getSinkChannel(), Duration.ofSeconds(10));
                    byte[] got = Await.get(peerRead, Duration.ofSeconds(20), "peer reads to EOF");
                    assertEquals(BODY, got.length, "peer got the body and then EOF");
                    assertEquals(crc(body), crc(got));
                    // The provider's read side is still open: the peer answers, then closes.
                    peer.getOutputStream().write("DONE".getBytes(StandardCharsets.US_ASCII));
                    peer.shutdownOutput();
                    ByteArrayOutputStream answer = new ByteArrayOutputStream();
                    ByteBuffer in = ByteBuffer.allocate(64);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    for (;;) {
                        int n = Channels.readBlocking(c.getSourceChannel(), in, 1, TimeUnit.SECONDS);
                        if (n < 0) {
                            break;
                        }
                        answer.write(in.array(), 0, in.position());
                        in.clear();
                        assertTrue(System.nanoTime() < deadline, "no EOF from the peer");
                    }
                    assertEquals("DONE", answer.toString(StandardCharsets.US_ASCII));
                } finally {
                    IoUtils.safeClose(c);
                }
            }
        }
    }

    static long crc(byte[] b) {
        CRC32 crc = new CRC32();
        crc.update(b);
        return crc.getValue();
    }
}
