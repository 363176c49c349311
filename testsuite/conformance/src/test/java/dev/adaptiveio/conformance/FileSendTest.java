package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Fds;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;

/**
 * Sending files with {@code transferFrom(FileChannel, position, count)} between other output on the
 * same connection: every byte arrives once and in order (bytes written before the transfer first,
 * bytes written after it last), whether the sender is a worker thread or the connection's I/O
 * thread, whether the reader keeps up or not; and the transfers leave no fd behind.
 */
class FileSendTest {
    private static final int MIB = 1024 * 1024;
    private static final byte[] HEAD = "HTTP/1.1 200 OK\r\nContent-Type: x/test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "\r\n-- after the file --\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    /** A file of {@code size} bytes and the range of it to send. */
    private record Range(String name, int size, long position, long count) {
    }

    private static final Range[] RANGES = {
        new Range("empty", 0, 0, 0),
        new Range("one byte", 1, 0, 1),
        new Range("64 KiB", 64 * 1024, 0, 64 * 1024),
        new Range("3 MiB", 3 * MIB, 0, 3 * MIB),
        new Range("middle of 3 MiB", 3 * MIB, MIB + 7, MIB + 4099),
    };

    @EachProvider
    void fromAWorkerThread(String provider) throws Exception {
        sendEach(provider, false, false);
    }

    @EachProvider
    void fromTheIoThread(String provider) throws Exception {
        sendEach(provider, true, false);
    }

    @EachProvider
    void toASlowReaderFromAWorkerThread(String provider) throws Exception {
        sendEach(provider, false, true);
    }

    @EachProvider
    void toASlowReaderFromTheIoThread(String provider) throws Exception {
        sendEach(provider, true, true);
    }

    /** Files opened, sent and closed over many connections: the fd table ends where it began. */
    @EachProvider
    void leavesNoFdBehind(String provider) throws Exception {
        Problems problems = new Problems();
        Path file = write("leak-" + provider, 3 * MIB, 11);
        try (TestWorker w = TestWorker.start(provider)) {
            // Warm up: pools, the native library, the JIT's own files.
            send(w, problems, file, RANGES[3], 11, false, false);
            Map<Integer, String> before = transferFds();
            for (int i = 0; i < 12; i++) {
                send(w, problems, file, i % 2 == 0 ? RANGES[3] : RANGES[4], 11, i % 3 == 0, i % 4 == 1);
            }
            AtomicReference<Map<Integer, String>> after = new AtomicReference<>();
            Await.until(() -> {
                after.set(transferFds());
                // New fds are leaks; one fewer is a warm-up connection that finished closing late.
                return after.get().entrySet().stream().allMatch(fd -> fd.getValue().equals(before.get(fd.getKey())));
            }, Duration.ofSeconds(15), () -> "fds after 12 file transfers: " + Fds.diff(before, after.get()));
        }
        problems.assertNone();
    }

    /**
     * The fds a file transfer could leak: sockets, pipes and the files sent. Not the selectors
     * (eventpoll, eventfd) NIO keeps per thread for blocking waits, which it closes when the GC
     * finds the thread gone.
     */
    private Map<Integer, String> transferFds() {
        Map<Integer, String> fds = Fds.snapshot();
        fds.values().removeIf(target -> !target.startsWith("socket:") && !target.startsWith("pipe:")
                && !target.startsWith(dir.toString()));
        return fds;
    }

    private void sendEach(String provider, boolean onIoThread, boolean slowReader) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider)) {
            long seed = 1;
            for (Range range : RANGES) {
                if (slowReader && range.count < MIB) {
                    continue; // a slow reader only shows on transfers larger than the socket buffers
                }
                Path file = write(provider + "-" + seed, range.size, seed);
                send(w, problems, file, range, seed, onIoThread, slowReader);
                seed++;
            }
        }
        problems.assertNone();
    }

    private static Path write(Path dir, String name, int size, long seed) throws IOException {
        byte[] content = new byte[size];
        new Payload(seed).fill(content, 0, size, 0);
        return Files.write(dir.resolve(name), content);
    }

    private Path write(String name, int size, long seed) throws IOException {
        return write(dir, name, size, seed);
    }

    /** Sends HEAD, the range, TAIL on a new connection and checks what the peer received to its EOF. */
    private static void send(TestWorker w, Problems problems, Path path, Range range, long seed,
            boolean onIoThread, boolean slowReader) throws Exception {
        String what = range.name + (onIoThread ? " from the I/O thread" : " from a worker thread")
                + (slowReader ? " to a slow reader" : "") + " on " + w.provider;
        Pair.SocketSetup setup = slowReader ? s -> s.setReceiveBufferSize(8 * 1024) : null;
        try (Pair p = Pair.open(w, OptionMap.EMPTY, problems, setup);
             FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            if (slowReader) {
                // Small kernel buffers on both sides: the sender meets a full socket again and again.
                p.connection.setOption(Options.SEND_BUFFER, 8 * 1024);
            }
            CompletableFuture<long[]> received = receive(p.peer, slowReader);
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            if (onIoThread) {
                IoThreadSender sender = new IoThreadSender(file, range);
                sink.getWriteSetter().set(sender);
                sink.resumeWrites();
                Await.get(sender.done, Duration.ofSeconds(60), what);
            } else {
                Bounded.run(what, Duration.ofSeconds(60), () -> sendBlocking(sink, file, range));
            }
            p.connection.close();
            long[] got = Await.get(received, Duration.ofSeconds(60), "the peer's bytes, " + what);
            long expected = HEAD.length + range.count + TAIL.length;
            assertEquals(expected, got[0], "bytes received, " + what);
            assertEquals(expectedCrc(range, seed), got[1], "CRC of the bytes received, " + what);
        }
    }

    private static void sendBlocking(StreamSinkChannel sink, FileChannel file, Range range) throws IOException {
        writeFully(sink, ByteBuffer.wrap(HEAD));
        if (range.count == 0) {
            assertEquals(0, sink.transferFrom(file, range.position, 0), "transferFrom of nothing");
        }
        long done = 0;
        while (done < range.count) {
            long n = sink.transferFrom(file, range.position + done, range.count - done);
            if (n == 0) {
                sink.awaitWritable(1, TimeUnit.SECONDS);
            }
            done += n;
        }
        assertEquals(0, sink.transferFrom(file, range.size, 100), "transferFrom at the end of the file");
        writeFully(sink, ByteBuffer.wrap(TAIL));
        Bounded.flush(sink, Duration.ofSeconds(30));
    }

    private static void writeFully(StreamSinkChannel sink, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (sink.write(buffer) == 0) {
                sink.awaitWritable(1, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Sends from the write listener, on the connection's I/O thread, giving up the thread whenever
     * a call takes nothing (the listener is called again once the connection can write).
     */
    private static final class IoThreadSender implements ChannelListener<ConduitStreamSinkChannel> {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        private final FileChannel file;
        private final Range range;
        private final ByteBuffer head = ByteBuffer.wrap(HEAD);
        private final ByteBuffer tail = ByteBuffer.wrap(TAIL);
        private long sent;

        IoThreadSender(FileChannel file, Range range) {
            this.file = file;
            this.range = range;
        }

        @Override
        public void handleEvent(ConduitStreamSinkChannel sink) {
            try {
                assertSame(sink.getIoThread(), Thread.currentThread(), "the write listener's thread");
                while (head.hasRemaining()) {
                    if (sink.write(head) == 0) {
                        return;
                    }
                }
                if (range.count == 0 && sent == 0) {
                    assertEquals(0, sink.transferFrom(file, range.position, 0), "transferFrom of nothing");
                }
                while (sent < range.count) {
                    long n = sink.transferFrom(file, range.position + sent, range.count - sent);
                    if (n == 0) {
                        return;
                    }
                    sent += n;
                }
                while (tail.hasRemaining()) {
                    if (sink.write(tail) == 0) {
                        return;
                    }
                }
                if (!sink.flush()) {
                    return;
                }
                sink.suspendWrites();
                done.complete(null);
            } catch (Throwable t) {
                sink.suspendWrites();
                done.completeExceptionally(t);
            }
        }
    }

    /** Reads to EOF on its own thread: {count, CRC32}. A slow reader sleeps between small reads. */
    private static CompletableFuture<long[]> receive(Socket peer, boolean slow) {
        CompletableFuture<long[]> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                InputStream in = peer.getInputStream();
                byte[] chunk = new byte[slow ? 4096 : 65536];
                CRC32 crc = new CRC32();
                long total = 0;
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    crc.update(chunk, 0, n);
                    total += n;
                    if (slow && (total / chunk.length) % 8 == 0) {
                        Thread.sleep(1);
                    }
                }
                result.complete(new long[] {total, crc.getValue()});
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "file-send-peer");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private static long expectedCrc(Range range, long seed) {
        CRC32 crc = new CRC32();
        crc.update(HEAD);
        byte[] chunk = new byte[65536];
        Payload payload = new Payload(seed);
        for (long done = 0; done < range.count; ) {
            int len = (int) Math.min(chunk.length, range.count - done);
            payload.fill(chunk, 0, len, range.position + done);
            crc.update(chunk, 0, len);
            done += len;
        }
        crc.update(TAIL);
        return crc.getValue();
    }
}
