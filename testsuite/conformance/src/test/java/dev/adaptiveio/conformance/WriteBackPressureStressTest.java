package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Timeout;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Output that keeps backing up and draining: many keep-alive connections, each asking for several
 * large responses, written either by the I/O thread (non-blocking, a small write that is gathered
 * and then large ones) or by a worker thread (blocking writes, heap buffers), to slow and fast
 * readers. Small socket buffers make writes fall short, so writability must be reported again
 * (on epoll: EPOLLOUT joins the interest set and leaves it) for every response. Every byte is
 * checked (CRC32 per response); the time limits only turn a hang into a failure.
 */
class WriteBackPressureStressTest {
    static final int CONNECTIONS = 24;
    static final int REQUESTS = 6;
    static final Payload PAYLOAD = new Payload(0xb4c4);

    static int responseSize(int connection, int request) {
        return 90_000 + (connection * 7919 + request * 104_729) % 220_000;
    }

    @EachProvider
    @Timeout(300)
    void responsesThatBackUp(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> new Responder(w, c, problems).start())) {
            List<CompletableFuture<Void>> clients = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                int id = i;
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        client(server, id);
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                }, "backpressure-client-" + i);
                t.setDaemon(true);
                t.start();
                clients.add(done);
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                Await.get(clients.get(i), Duration.ofSeconds(180), "client " + i + " received all its responses");
            }
            Await.until(() -> server.closed.get() == CONNECTIONS, Duration.ofSeconds(30),
                    () -> "server-side connections closed: " + server.closed + "/" + CONNECTIONS + server.describeOpen());
        }
        problems.assertNone();
    }

    /** Asks for REQUESTS responses, alternating who writes them, reading slowly on every third connection. */
    private static void client(Server server, int id) throws IOException {
        boolean slow = id % 3 == 0;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.setSoTimeout(60_000);
            s.connect(server.address(), 5_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[slow ? 4096 : 64 * 1024];
            byte[] expected = new byte[buf.length];
            long position = 0;
            for (int k = 0; k < REQUESTS; k++) {
                byte mode = (byte) ((id + k) % 2 == 0 ? 'I' : 'W');
                int size = responseSize(id, k);
                s.getOutputStream().write(ByteBuffer.allocate(5).put(mode).putInt(size).array());
                CRC32 got = new CRC32();
                CRC32 want = new CRC32();
                int left = size;
                int reads = 0;
                while (left > 0) {
                    int n = in.read(buf, 0, Math.min(buf.length, left));
                    if (n < 0) {
                        throw new AssertionError("connection " + id + " request " + k + ": EOF with " + left + " of " + size + " bytes missing");
                    }
                    got.update(buf, 0, n);
                    PAYLOAD.fill(expected, 0, n, position);
                    want.update(expected, 0, n);
                    int mismatch = java.util.Arrays.mismatch(buf, 0, n, expected, 0, n);
                    if (mismatch >= 0) {
                        throw new AssertionError("connection " + id + " request " + k + " (" + (char) mode + ", " + size
                                + " bytes): first wrong byte at " + (size - left + mismatch) + " of the response");
                    }
                    position += n;
                    left -= n;
                    if (slow && ++reads % 8 == 0) {
                        Await.sleep(1);
                    }
                }
                assertEquals(want.getValue(), got.getValue(), "connection " + id + " request " + k + " (" + (char) mode + ", " + size + " bytes): CRC32");
            }
            s.shutdownOutput();
            assertEquals(-1, in.read(), "connection " + id + ": EOF after the last response");
        }
    }

    /** Serves one connection: five bytes ask for a response: who writes it, and its size. */
    static final class Responder {
        final TestWorker w;
        final StreamConnection c;
        final Problems problems;
        final ByteBuffer request = ByteBuffer.allocate(5);
        final ByteBuffer header = ByteBuffer.allocateDirect(16);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024).limit(0);
        long position;
        int left;
        /** The I/O thread is writing a response (the write listener's turn). */
        boolean ioWriting;

        Responder(TestWorker w, StreamConnection c, Problems problems) {
            this.w = w;
            this.c = c;
            this.problems = problems;
        }

        void start() {
            try {
                c.setOption(Options.SEND_BUFFER, 16 * 1024);
            } catch (IOException e) {
                problems.add(e);
            }
            c.getSourceChannel().setReadListener(this::readRequest);
            c.getSinkChannel().setWriteListener(ch -> {
                if (ioWriting) {
                    writeSome();
                } else {
                    ch.suspendWrites(); // a late call (XNIO allows them): a worker may be writing now
                }
            });
            c.getSourceChannel().resumeReads();
        }

        private void readRequest(ConduitStreamSourceChannel ch) {
            try {
                int n = ch.read(request);
                if (n < 0) {
                    IoUtils.safeClose(c);
                    return;
                }
                if (request.hasRemaining()) {
                    return;
                }
                ch.suspendReads();
                byte mode = request.get(0);
                left = request.getInt(1);
                request.clear();
                if (mode == 'I') {
                    ioWriting = true;
                    // A small write first: gathered, then sent with the first large one.
                    fill(header, Math.min(header.capacity(), left));
                    left -= c.getSinkChannel().write(header);
                    if (header.hasRemaining()) {
                        throw new IOException("a 16-byte write on an idle connection was not taken whole");
                    }
                    writeSome();
                } else {
                    w.worker.execute(this::writeBlocking);
                }
            } catch (Throwable e) {
                problems.add(e);
                IoUtils.safeClose(c);
            }
        }

        private void writeSome() {
            ConduitStreamSinkChannel sink = c.getSinkChannel();
            try {
                while (left > 0) {
                    if (!chunk.hasRemaining()) {
                        fill(chunk, Math.min(chunk.capacity(), left));
                    }
                    int n = sink.write(chunk);
                    left -= n;
                    if (n == 0) {
                        sink.resumeWrites(); // called again once the kernel has room
                        return;
                    }
                }
                if (!sink.flush()) {
                    sink.resumeWrites();
                    return;
                }
                ioWriting = false;
                sink.suspendWrites();
                chunk.clear().limit(0);
                c.getSourceChannel().resumeReads();
            } catch (Throwable e) {
                problems.add(e);
                IoUtils.safeClose(c);
            }
        }

        private void writeBlocking() {
            ConduitStreamSinkChannel sink = c.getSinkChannel();
            ByteBuffer heap = ByteBuffer.allocate(100_000);
            try {
                while (left > 0) {
                    fill(heap, Math.min(heap.capacity(), left));
                    while (heap.hasRemaining()) {
                        int n = sink.write(heap);
                        left -= n;
                        if (n == 0) {
                            sink.awaitWritable();
                        }
                    }
                }
                while (!sink.flush()) {
                    sink.awaitWritable();
                }
                c.getSourceChannel().resumeReads();
            } catch (Throwable e) {
                problems.add(e);
                IoUtils.safeClose(c);
            }
        }

        private void fill(ByteBuffer b, int n) {
            b.clear();
            PAYLOAD.put(b, n, position);
            b.flip();
            position += n;
        }
    }
}
