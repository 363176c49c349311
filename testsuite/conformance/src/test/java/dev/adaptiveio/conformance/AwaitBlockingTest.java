package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.streams.ChannelInputStream;
import org.xnio.streams.ChannelOutputStream;

/**
 * Blocking use of the provider's channels from non-I/O threads, as Undertow's blocking servlet
 * streams do: awaitReadable/awaitWritable (they may return spuriously, so callers loop) and XNIO's
 * ChannelInputStream/ChannelOutputStream.
 */
class AwaitBlockingTest {
    /** A spinning await (returning at once every time) would loop far more often than this. */
    private static final int MAX_AWAIT_CALLS = 200;

    @EachProvider
    void awaitReadableBlocksUntilDataArrives(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            CompletableFuture.runAsync(() -> {
                Await.sleep(300);
                try {
                    p.peer.getOutputStream().write("ready".getBytes());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer buf = ByteBuffer.allocate(16);
            long[] waited = new long[1];
            Bounded.run("read loop with awaitReadable()", Duration.ofSeconds(20), () -> {
                int calls = 0;
                long start = System.nanoTime();
                while (source.read(buf) == 0) {
                    assertTrue(++calls < MAX_AWAIT_CALLS, "awaitReadable() returns without waiting");
                    source.awaitReadable();
                }
                waited[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                while (buf.position() < 5) {
                    source.awaitReadable(1, TimeUnit.SECONDS);
                    source.read(buf);
                }
            });
            assertEquals("ready", new String(buf.array(), 0, buf.position()));
            assertTrue(waited[0] >= 250, "read data before the peer sent it? waited " + waited[0] + " ms");
        }
        problems.assertNone();
    }

    @EachProvider
    void awaitReadableWithTimeoutReturnsWithoutData(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            long start = System.nanoTime();
            source.awaitReadable(200, TimeUnit.MILLISECONDS);
            long first = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(first <= 200 + 2000, "awaitReadable(200 ms) took " + first + " ms");
            assertEquals(0, source.read(ByteBuffer.allocate(8)), "no data was sent");
            // Looping over 500 ms: a provider may return early (spuriously) but must not spin.
            int calls = 0;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < deadline) {
                source.awaitReadable(100, TimeUnit.MILLISECONDS);
                calls++;
            }
            assertTrue(calls < MAX_AWAIT_CALLS, calls + " awaitReadable(100 ms) calls in 500 ms");
        }
        problems.assertNone();
    }

    /** Fill the socket, then block in awaitWritable until the peer drains; 4 MB arrive intact. */
    @EachProvider
    void awaitWritableBlocksUntilPeerDrains(String provider) throws Exception {
        long total = 4L * 1024 * 1024;
        Payload payload = new Payload(11);
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Pair p = Pair.open(w, OptionMap.create(Options.SEND_BUFFER, 32 * 1024), problems, s -> s.setReceiveBufferSize(32 * 1024))) {
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            Bounded.run("write loop with awaitWritable()", Duration.ofSeconds(60), () -> {
                ByteBuffer chunk = ByteBuffer.allocate(16 * 1024).limit(0);
                long written = 0;
                int zeroes = 0;
                while (written < total) {
                    if (!chunk.hasRemaining()) {
                        chunk.clear();
                        int n = (int) Math.min(chunk.capacity(), total - written);
                        payload.put(chunk, n, written);
                        chunk.flip();
                    }
                    int n = sink.write(chunk);
                    if (n > 0) {
                        written += n;
                        continue;
                    }
                    if (zeroes++ == 0) {
                        // Socket full, nobody reading: a timed await still comes back.
                        long start = System.nanoTime();
                        sink.awaitWritable(200, TimeUnit.MILLISECONDS);
                        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        assertTrue(took <= 2200, "awaitWritable(200 ms) took " + took + " ms");
                        startDraining(p.peer, total, payload, problems);
                    }
                    assertTrue(zeroes < 10_000, "awaitWritable() returns without waiting");
                    sink.awaitWritable();
                }
                sink.shutdownWrites();
                while (!sink.flush()) {
                    sink.awaitWritable();
                }
            });
            Await.until(() -> drained.isDone(), Duration.ofSeconds(20), "peer read 4 MB and EOF");
            assertEquals(Boolean.TRUE, drained.get());
        }
        problems.assertNone();
    }

    private final CompletableFuture<Boolean> drained = new CompletableFuture<>();

    private void startDraining(Socket peer, long total, Payload payload, Problems problems) {
        CompletableFuture.runAsync(() -> {
            try {
                InputStream in = peer.getInputStream();
                CRC32 crc = new CRC32();
                long got = 0;
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    crc.update(buf, 0, n);
                    got += n;
                }
                if (got != total || crc.getValue() != payload.crc(total)) {
                    problems.add("peer got " + got + " bytes, crc " + crc.getValue());
                    drained.complete(false);
                } else {
                    drained.complete(true);
                }
            } catch (IOException e) {
                problems.add(e);
                drained.complete(false);
            }
        });
    }

    /**
     * Servlet-style blocking echo: each accepted connection is handed to a worker task thread that
     * reads with ChannelInputStream and writes with ChannelOutputStream; 8 clients at once, 2 MB each.
     */
    @EachProvider
    void blockingStreamsOnTaskThreads(String provider) throws Exception {
        int clients = 8;
        int size = 2 * 1024 * 1024;
        Problems problems = new Problems();
        ExecutorService peers = Executors.newFixedThreadPool(2 * clients);
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> w.worker.execute(() -> {
                 if (Thread.currentThread() instanceof XnioIoThread) {
                     problems.add("worker task ran on an I/O thread");
                 }
                 try (InputStream in = new ChannelInputStream(c.getSourceChannel(), 20, TimeUnit.SECONDS);
                      OutputStream out = new ChannelOutputStream(c.getSinkChannel(), 20, TimeUnit.SECONDS)) {
                     byte[] buf = new byte[8192 + 17];
                     int n;
                     while ((n = in.read(buf)) >= 0) {
                         out.write(buf, 0, n);
                         out.flush();
                     }
                 } catch (IOException e) {
                     problems.add(e);
                 } finally {
                     IoUtils.safeClose(c);
                 }
             }))) {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Payload payload = new Payload(100 + i);
                results.add(peers.submit(() -> {
                    try (Socket s = new Socket()) {
                        s.setSoTimeout(20_000);
                        s.connect(server.address(), 5_000);
                        Future<?> writer = peers.submit(() -> {
                            byte[] chunk = new byte[32 * 1024];
                            OutputStream out = s.getOutputStream();
                            for (long pos = 0; pos < size; pos += chunk.length) {
                                payload.fill(chunk, 0, chunk.length, pos);
                                out.write(chunk);
                            }
                            s.shutdownOutput();
                            return null;
                        });
                        byte[] echoed = new DataInputStream(s.getInputStream()).readAllBytes();
                        writer.get(20, TimeUnit.SECONDS);
                        byte[] expected = new byte[size];
                        payload.fill(expected, 0, size, 0);
                        assertArrayEquals(expected, echoed, "blocking echo");
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            Await.until(() -> server.closed.get() == clients, Duration.ofSeconds(10), "server connections closed");
        } finally {
            peers.shutdownNow();
        }
        problems.assertNone();
    }
}
