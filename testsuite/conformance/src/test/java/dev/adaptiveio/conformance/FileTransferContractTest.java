package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * The file transfers of XNIO's stream channels against their javadoc and NIO:
 * {@code transferTo(position, count, FileChannel)} returns the number of bytes transferred,
 * "possibly 0", never -1 (NIO's {@code FileChannel.transferFrom} underneath cannot report an end
 * of input); on a closed connection the file variants throw {@link ClosedChannelException}; and
 * a closed file is refused before a byte is taken from the socket.
 */
class FileTransferContractTest {
    private static final int SIZE = 64 * 1024;

    @TempDir
    Path dir;

    @EachProvider
    void transferToFileCountsBytesAndNeverReturnsMinusOne(String provider) throws Exception {
        Problems problems = new Problems();
        Payload payload = new Payload(5);
        byte[] sent = new byte[SIZE];
        payload.fill(sent, 0, SIZE, 0);
        Path target = dir.resolve("in-" + provider);
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems);
             FileChannel file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            OutputStream out = p.peer.getOutputStream();
            out.write(sent);
            p.peer.shutdownOutput();
            Bounded.run("transferTo the whole upload", Duration.ofSeconds(30), () -> {
                long position = 0;
                while (position < SIZE) {
                    long n = source.transferTo(position, SIZE - position, file);
                    assertTrue(n >= 0, "transferTo returned " + n + " after " + position + " bytes");
                    position += n;
                    if (n == 0) {
                        source.awaitReadable(1, TimeUnit.SECONDS);
                    }
                }
            });
            Await.sleep(100); // the peer's FIN is in
            assertEquals(0, source.transferTo(SIZE, 100, file), "transferTo at the end of input");
            assertEquals(-1, source.read(ByteBuffer.allocate(8)), "read reports the end of input");
            assertEquals(0, source.transferTo(SIZE, 100, file), "transferTo after the end of input was read");
            file.force(false);
            assertArrayEquals(sent, Files.readAllBytes(target));
        }
        problems.assertNone();
    }

    @EachProvider
    void transferFromFileSendsIt(String provider) throws Exception {
        Problems problems = new Problems();
        Payload payload = new Payload(6);
        byte[] content = new byte[SIZE];
        payload.fill(content, 0, SIZE, 0);
        Path source = Files.write(dir.resolve("out-" + provider), content);
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems);
             FileChannel file = FileChannel.open(source, StandardOpenOption.READ)) {
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            Bounded.run("transferFrom the whole file", Duration.ofSeconds(30), () -> {
                long position = 0;
                while (position < SIZE) {
                    long n = sink.transferFrom(file, position, SIZE - position);
                    assertTrue(n >= 0, "transferFrom returned " + n);
                    position += n;
                    if (n == 0) {
                        sink.awaitWritable(1, TimeUnit.SECONDS);
                    }
                }
                Bounded.flush(sink, Duration.ofSeconds(10));
            });
            byte[] got = new byte[SIZE];
            new DataInputStream(p.peer.getInputStream()).readFully(got);
            assertArrayEquals(content, got);
        }
        problems.assertNone();
    }

    @EachProvider
    void transfersOnAClosedConnection(String provider) throws Exception {
        Problems problems = new Problems();
        Path path = Files.write(dir.resolve("closed-" + provider), new byte[128]);
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems); Pair other = Pair.open(w, problems);
             FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            p.peer.getOutputStream().write("unread".getBytes());
            p.connection.close();
            assertThrows(ClosedChannelException.class, () -> source.transferTo(0, 100, file), "transferTo(file) on a closed connection");
            assertThrows(ClosedChannelException.class, () -> sink.transferFrom(file, 0, 100), "transferFrom(file) on a closed connection");
            // The through-buffer variants as NIO's: the source side reports its end with -1...
            ByteBuffer through = ByteBuffer.allocate(64).limit(0);
            assertEquals(-1, source.transferTo(100, through, other.connection.getSinkChannel()), "transferTo(channel) from a closed connection");
            // ...and the sink side fails on the first byte it must take.
            other.peer.getOutputStream().write("abc".getBytes());
            ConduitStreamSourceChannel otherSource = other.connection.getSourceChannel();
            Bounded.run("await the other connection's bytes", Duration.ofSeconds(20), () -> otherSource.awaitReadable(5, TimeUnit.SECONDS));
            ByteBuffer through2 = ByteBuffer.allocate(64).limit(0);
            assertThrows(ClosedChannelException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    sink.transferFrom(otherSource, 100, through2);
                    Await.sleep(10);
                }
            }, "transferFrom(channel) into a closed connection");
        }
        problems.assertNone();
    }

    /** A closed file: refused before any byte leaves the socket, so the bytes are still there. */
    @EachProvider
    void transferToAClosedFileLosesNothing(String provider) throws Exception {
        Problems problems = new Problems();
        Path path = dir.resolve("shut-" + provider);
        FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        file.close();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            p.peer.getOutputStream().write("hello".getBytes());
            Bounded.run("await the bytes", Duration.ofSeconds(20), () -> source.awaitReadable(5, TimeUnit.SECONDS));
            Await.sleep(50);
            assertThrows(ClosedChannelException.class, () -> source.transferTo(0, 5, file));
            ByteBuffer buf = ByteBuffer.allocate(16);
            Bounded.run("read the bytes", Duration.ofSeconds(20), () -> {
                while (buf.position() < 5) {
                    if (source.read(buf) == 0) {
                        source.awaitReadable(1, TimeUnit.SECONDS);
                    }
                }
            });
            assertEquals("hello", new String(buf.array(), 0, buf.position()));
        }
        problems.assertNone();
    }
}
