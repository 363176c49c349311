package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import dev.adaptiveio.conformance.support.Watchdog;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * 100 MB each way through the provider's non-blocking channels, checked with CRC32: plain read/write,
 * scatter read/gather write with uneven buffers, and FileChannel transfers (what Undertow's file
 * serving uses). The peer is a plain java.net.Socket.
 */
class BulkTransferTest {
    static final long TOTAL = 100L * 1024 * 1024;
    static final Payload PAYLOAD = new Payload(0x5eed);
    static long expectedCrc;

    @TempDir
    static Path dir;
    static Path source;

    @BeforeAll
    static void prepare() throws IOException {
        expectedCrc = PAYLOAD.crc(TOTAL);
        source = dir.resolve("payload.bin");
        try (FileChannel fc = FileChannel.open(source, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < TOTAL; pos += chunk.capacity()) {
                chunk.clear();
                PAYLOAD.put(chunk, chunk.capacity(), pos);
                chunk.flip();
                while (chunk.hasRemaining()) {
                    fc.write(chunk);
                }
            }
        }
    }

    // ---- provider receives ----

    @EachProvider
    void uploadRead(String provider) throws Exception {
        upload(provider, c -> new Receiver(c) {
            final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);

            @Override
            long readSome(ConduitStreamSourceChannel ch) throws IOException {
                int n = ch.read(buf);
                buf.flip();
                crc.update(buf);
                buf.clear();
                return n;
            }
        });
    }

    @EachProvider
    void uploadScatterRead(String provider) throws Exception {
        upload(provider, c -> new Receiver(c) {
            final ByteBuffer[] bufs = {ByteBuffer.allocateDirect(1000), ByteBuffer.allocate(16384), ByteBuffer.allocateDirect(47104)};

            @Override
            long readSome(ConduitStreamSourceChannel ch) throws IOException {
                long n = ch.read(bufs, 0, bufs.length);
                for (ByteBuffer b : bufs) {
                    b.flip();
                    crc.update(b);
                    b.clear();
                }
                return n;
            }
        });
    }

    @EachProvider
    void uploadTransferToFile(String provider) throws Exception {
        Path target = dir.resolve("upload-" + provider + ".bin");
        FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            upload(provider, c -> new Receiver(c) {
                long position;
                final ByteBuffer probe = ByteBuffer.allocate(1);

                @Override
                long readSome(ConduitStreamSourceChannel ch) throws IOException {
                    if (position < TOTAL) {
                        long n = ch.transferTo(position, TOTAL - position, file);
                        position += n;
                        return n; // transferTo cannot report EOF; the size is known
                    }
                    int n = ch.read(probe); // all bytes are in: the next thing must be EOF
                    if (n > 0) {
                        throw new IOException("more than " + TOTAL + " bytes uploaded");
                    }
                    if (n < 0) {
                        file.force(false);
                        crc.update(Files.readAllBytes(target));
                    }
                    return n;
                }
            });
        } finally {
            file.close();
            Files.deleteIfExists(target);
        }
    }

    private void upload(String provider, Function<StreamConnection, Receiver> receiver) throws Exception {
        Problems problems = new Problems();
        CompletableFuture<long[]> result = new CompletableFuture<>();
        AtomicReference<Receiver> active = new AtomicReference<>();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> {
                 Receiver r = receiver.apply(c);
                 active.set(r);
                 r.start(result);
             });
             Socket s = new Socket();
             Watchdog guard = Watchdog.closeAfter(s, Duration.ofSeconds(90))) {
            s.setSoTimeout(30_000);
            s.connect(server.address(), 5_000);
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            try {
                for (long pos = 0; pos < TOTAL; pos += chunk.length) {
                    int n = (int) Math.min(chunk.length, TOTAL - pos);
                    PAYLOAD.fill(chunk, 0, n, pos);
                    out.write(chunk, 0, n);
                }
                s.shutdownOutput();
            } catch (IOException e) {
                Receiver r = active.get();
                throw new AssertionError("peer's upload failed" + (guard.fired() ? " (blocked 90 s: the provider stopped reading)" : "")
                        + "; accepted " + server.accepted + ", provider read " + (r == null ? "nothing" : r.total + " bytes")
                        + (result.isCompletedExceptionally() ? ", receiver failed: " + result.handle((v, t) -> t).join() : ""), e);
            }
            long[] r = Await.get(result, Duration.ofSeconds(60), "provider reads 100 MB and EOF");
            assertEquals(TOTAL, r[0], "bytes received by the provider");
            assertEquals(expectedCrc, r[1], "CRC32 of the bytes received by the provider");
        }
        problems.assertNone();
    }

    /** Reads until EOF in the read listener, then completes the connection's result with {bytes, crc}. */
    abstract static class Receiver {
        final StreamConnection connection;
        final CRC32 crc = new CRC32();
        volatile long total; // read by the test thread for failure messages

        Receiver(StreamConnection connection) {
            this.connection = connection;
        }

        abstract long readSome(ConduitStreamSourceChannel ch) throws IOException;

        void start(CompletableFuture<long[]> result) {
            connection.getSourceChannel().setReadListener(ch -> {
                try {
                    long n;
                    while ((n = readSome(ch)) > 0) {
                        total += n;
                    }
                    if (n < 0) {
                        result.complete(new long[] {total, crc.getValue()});
                        IoUtils.safeClose(connection);
                    }
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                    IoUtils.safeClose(connection);
                }
            });
            connection.getSourceChannel().resumeReads();
        }
    }

    // ---- provider sends ----

    @EachProvider
    void downloadWrite(String provider) throws Exception {
        download(provider, new Sender() {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024).limit(0);

            @Override
            long writeSome(ConduitStreamSinkChannel ch) throws IOException {
                if (!chunk.hasRemaining()) {
                    refill(chunk);
                }
                return ch.write(chunk);
            }
        });
    }

    @EachProvider
    void downloadGatherWrite(String provider) throws Exception {
        download(provider, new Sender() {
            final ByteBuffer[] bufs = {
                    ByteBuffer.allocateDirect(7).limit(0), ByteBuffer.allocate(20000).limit(0), ByteBuffer.allocateDirect(45000).limit(0)};

            @Override
            long writeSome(ConduitStreamSinkChannel ch) throws IOException {
                if (!bufs[2].hasRemaining()) {
                    for (ByteBuffer b : bufs) {
                        refill(b);
                    }
                }
                return ch.write(bufs, 0, bufs.length);
            }
        });
    }

    @EachProvider
    void downloadTransferFromFile(String provider) throws Exception {
        try (FileChannel file = FileChannel.open(source, StandardOpenOption.READ)) {
            download(provider, new Sender() {
                long position;

                @Override
                long writeSome(ConduitStreamSinkChannel ch) throws IOException {
                    long n = ch.transferFrom(file, position, TOTAL - position);
                    position += n;
                    generated = position;
                    return n;
                }
            });
        }
    }

    /** Writes TOTAL bytes of the payload in the write listener, then shuts down writes and closes. */
    abstract static class Sender {
        long generated; // payload bytes handed to buffers (or transferred)
        long written;

        abstract long writeSome(ConduitStreamSinkChannel ch) throws IOException;

        void refill(ByteBuffer b) {
            int n = (int) Math.min(b.capacity(), TOTAL - generated);
            b.clear();
            PAYLOAD.put(b, n, generated);
            b.flip();
            generated += n;
        }

        void start(StreamConnection c, CompletableFuture<Long> done) {
            ConduitStreamSinkChannel sink = c.getSinkChannel();
            sink.setWriteListener(ch -> {
                try {
                    while (written < TOTAL) {
                        long n = writeSome(ch);
                        if (n == 0) {
                            return; // socket full: wait for the next writability call
                        }
                        written += n;
                    }
                    ch.shutdownWrites();
                    if (!ch.flush()) {
                        // The socket is full (the provider still holds the tail): XNIO's contract is to
                        // flush again when writable, and the FIN follows the last byte.
                        ch.getWriteSetter().set(again -> {
                            try {
                                if (again.flush()) {
                                    again.suspendWrites();
                                    done.complete(written);
                                    IoUtils.safeClose(c);
                                }
                            } catch (Throwable e) {
                                done.completeExceptionally(e);
                                IoUtils.safeClose(c);
                            }
                        });
                        return; // writes stay resumed
                    }
                    ch.suspendWrites();
                    done.complete(written);
                    IoUtils.safeClose(c);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                    IoUtils.safeClose(c);
                }
            });
            sink.resumeWrites();
        }
    }

    private void download(String provider, Sender sender) throws Exception {
        Problems problems = new Problems();
        CompletableFuture<Long> sent = new CompletableFuture<>();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.EMPTY, problems, c -> sender.start(c, sent));
             Socket s = new Socket()) {
            s.setSoTimeout(30_000);
            s.connect(server.address(), 5_000);
            InputStream in = s.getInputStream();
            CRC32 crc = new CRC32();
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                crc.update(buf, 0, n);
                total += n;
            }
            assertEquals(TOTAL, Await.get(sent, Duration.ofSeconds(10), "provider finished writing"), "bytes written by the provider");
            assertEquals(TOTAL, total, "bytes received by the peer before EOF");
            assertEquals(expectedCrc, crc.getValue(), "CRC32 of the bytes received by the peer");
        }
        problems.assertNone();
    }
}
