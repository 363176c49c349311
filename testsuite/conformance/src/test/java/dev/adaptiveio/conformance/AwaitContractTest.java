package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * What {@code awaitReadable}/{@code awaitWritable} promise beyond "callers loop": on a quiet
 * connection one call blocks until the direction is ready or the timeout passes, as NIO's
 * (selector-based) awaits do; they respect {@link Xnio#allowBlocking(boolean)}; and on the
 * connection's own I/O thread, where nothing could wake them, the native providers refuse
 * ({@link IllegalStateException}) instead of hanging the thread. NIO blocks its I/O thread on a
 * private selector there (a difference documented in docs/conformance.md); the test checks that.
 */
class AwaitContractTest {

    @EachProvider
    void oneAwaitReadableBlocksUntilThePeerSends(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            // Judged by order, not by a duration: under load the waiting thread may start late.
            AtomicLong sentAt = new AtomicLong();
            CompletableFuture.runAsync(() -> {
                Await.sleep(400);
                try {
                    sentAt.set(System.nanoTime());
                    p.peer.getOutputStream().write("late".getBytes());
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            long[] returnedAt = new long[1];
            Bounded.run("awaitReadable() on a quiet connection", Duration.ofSeconds(20), () -> {
                source.awaitReadable();
                returnedAt[0] = System.nanoTime();
            });
            assertTrue(sentAt.get() != 0 && returnedAt[0] - sentAt.get() >= 0,
                    "awaitReadable() returned before the peer sent anything");
            ByteBuffer buf = ByteBuffer.allocate(16);
            assertTrue(source.read(buf) > 0, "awaitReadable() returned because data arrived");
        }
        problems.assertNone();
    }

    @EachProvider
    void oneTimedAwaitReadableWaitsItsTime(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            // Traffic first, so a provider's "maybe more" after a read is exercised too: the
            // buffer is larger than what was sent, so the read proves the socket is empty.
            p.peer.getOutputStream().write("abc".getBytes());
            ByteBuffer buf = ByteBuffer.allocate(64);
            Bounded.run("read the first bytes", Duration.ofSeconds(20), () -> {
                while (buf.position() < 3) {
                    source.awaitReadable(1, TimeUnit.SECONDS);
                    source.read(buf);
                }
            });
            long start = System.nanoTime();
            source.awaitReadable(300, TimeUnit.MILLISECONDS);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 250, "awaitReadable(300 ms) with nothing to read returned after " + took + " ms");
            assertTrue(took <= 300 + 2000, "awaitReadable(300 ms) took " + took + " ms");
            assertEquals(0, source.read(buf.clear()), "nothing was sent");
        }
        problems.assertNone();
    }

    /** The socket is full (nobody reads): one awaitWritable() blocks until the peer drains. */
    @EachProvider
    void oneAwaitWritableBlocksUntilThePeerDrains(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Pair p = Pair.open(w, OptionMap.create(Options.SEND_BUFFER, 16 * 1024), problems, s -> s.setReceiveBufferSize(16 * 1024))) {
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            AtomicLong drainAt = new AtomicLong();
            long[] returnedAt = new long[1];
            Bounded.run("fill the socket, then awaitWritable()", Duration.ofSeconds(30), () -> {
                fill(sink);
                CompletableFuture.runAsync(() -> {
                    Await.sleep(400);
                    try {
                        drainAt.set(System.nanoTime());
                        // Everything, so a provider that waits for its whole queue to leave
                        // is not held up by a peer that stops half way.
                        byte[] drain = new byte[256 * 1024];
                        while (p.peer.getInputStream().read(drain) > 0) {
                            // until the test closes the pair
                        }
                    } catch (IOException closedByTheTest) {
                        // the pair closes at the end of the test
                    }
                });
                sink.awaitWritable();
                returnedAt[0] = System.nanoTime();
            });
            // by order, as above: the socket can only drain once the peer reads
            assertTrue(drainAt.get() != 0 && returnedAt[0] - drainAt.get() >= 0,
                    "awaitWritable() on a full socket returned before the peer read");
        }
        problems.assertNone();
    }

    /** Xnio.allowBlocking(false) on the calling thread: the awaits must refuse, as NIO's do. */
    @EachProvider
    void awaitsRespectAllowBlocking(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            Bounded.run("awaits with blocking disallowed", Duration.ofSeconds(20), () -> {
                boolean old = Xnio.allowBlocking(false);
                try {
                    assertThrows(IllegalStateException.class, () -> source.awaitReadable(100, TimeUnit.MILLISECONDS));
                    assertThrows(IllegalStateException.class, source::awaitReadable);
                    assertThrows(IllegalStateException.class, () -> sink.awaitWritable(100, TimeUnit.MILLISECONDS));
                    assertThrows(IllegalStateException.class, sink::awaitWritable);
                } finally {
                    Xnio.allowBlocking(old);
                }
            });
        }
        problems.assertNone();
    }

    /**
     * On the connection's own I/O thread, with nothing to read and a full socket: the native
     * providers throw IllegalStateException at once (nothing else could set the readiness they
     * would wait for); NIO waits out the timeout on a private selector.
     */
    @EachProvider
    void awaitsOnTheConnectionsOwnIoThread(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Pair p = Pair.open(w, OptionMap.create(Options.SEND_BUFFER, 16 * 1024), problems, s -> s.setReceiveBufferSize(16 * 1024))) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            CompletableFuture<String> outcome = new CompletableFuture<>();
            p.connection.getIoThread().execute(() -> {
                StringBuilder seen = new StringBuilder();
                try {
                    seen.append("read:").append(awaitOutcome(() -> source.awaitReadable(200, TimeUnit.MILLISECONDS)));
                    fill(sink);
                    seen.append(" write:").append(awaitOutcome(() -> sink.awaitWritable(200, TimeUnit.MILLISECONDS)));
                    seen.append(" untimedRead:").append(provider.equals("nio") ? "skipped" : awaitOutcome(source::awaitReadable));
                    outcome.complete(seen.toString());
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
            String seen = Await.get(outcome, Duration.ofSeconds(20), "awaits on the I/O thread");
            if (provider.equals("nio")) {
                assertTrue(seen.matches("read:returned\\(\\d+ms\\) write:returned\\(\\d+ms\\) untimedRead:skipped"), seen);
                for (String ms : seen.replaceAll("[^0-9 ]", "").trim().split(" +")) {
                    assertTrue(Long.parseLong(ms) >= 150, "NIO waited out the timeout: " + seen);
                }
            } else {
                assertEquals("read:IllegalStateException write:IllegalStateException untimedRead:IllegalStateException", seen);
            }
        }
        problems.assertNone();
    }

    /**
     * Writes until {@code write} returns 0 and still does 100 ms later: on loopback the kernel
     * moves bytes from the send to the receive buffer for a while after the first 0, which
     * makes the socket writable again without the peer reading.
     */
    private static void fill(ConduitStreamSinkChannel sink) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(8192);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            while (sink.write(chunk.clear()) > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the socket never filled");
                }
            }
            long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            boolean took = false;
            while (!took && System.nanoTime() < settle) {
                took = sink.write(chunk.clear()) > 0;
                if (!took) {
                    Await.sleep(5);
                }
            }
            if (!took) {
                return;
            }
        }
    }

    @FunctionalInterface
    private interface AwaitCall {
        void run() throws IOException;
    }

    private static String awaitOutcome(AwaitCall call) {
        long start = System.nanoTime();
        try {
            call.run();
            return "returned(" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + "ms)";
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }
}
