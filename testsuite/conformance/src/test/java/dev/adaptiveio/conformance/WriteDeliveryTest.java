package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;

/**
 * When written bytes reach the peer (docs/conformance.md, "Write delivery"). Off the I/O thread,
 * {@code flush()} returning {@code true} means the bytes are in the kernel, and a {@code write()}
 * with no earlier output pending hands them over at once, as NIO does: both must hold while the
 * connection's I/O thread is busy, so nothing it does later can be what delivers them. On the I/O
 * thread, a listener's flushed output leaves when the loop iteration ends, with no further event
 * on the connection.
 */
class WriteDeliveryTest {
    /** Small enough that the kernel takes each message whole, with room to spare. */
    private static final int MESSAGE = 2048;
    private static final Duration LIMIT = Duration.ofSeconds(10);

    @EachProvider
    void offTheIoThreadWriteAndFlushReachThePeerWithoutTheIoThread(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            StreamConnection c = p.connection;
            p.peer.setSoTimeout(5_000);
            Payload payload = new Payload(3);
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            c.getIoThread().execute(() -> {
                busy.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(10, TimeUnit.SECONDS), "the connection's I/O thread runs the blocking task");
            try {
                // write() alone, idle connection: the bytes go to the kernel before write() returns.
                byte[] first = bytes(payload, 0);
                onWorkerThread(w, "write()", () -> assertEquals(MESSAGE, c.getSinkChannel().write(ByteBuffer.wrap(first)),
                        "a short message is taken whole"));
                assertArrayEquals(first, readFully(p.peer, MESSAGE), "peer reads what write() took from a worker thread");

                // write() then flush() until it returns true (it may return false, but only the kernel may hold us up).
                byte[] second = bytes(payload, MESSAGE);
                onWorkerThread(w, "write() + flush()", () -> {
                    StreamSinkChannel sink = c.getSinkChannel();
                    assertEquals(MESSAGE, sink.write(ByteBuffer.wrap(second)), "a short message is taken whole");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!sink.flush()) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("flush() did not return true within 5 s while the I/O thread was busy");
                        }
                        sink.awaitWritable(50, TimeUnit.MILLISECONDS);
                    }
                });
                assertArrayEquals(second, readFully(p.peer, MESSAGE), "peer reads what flush() reported flushed");
            } finally {
                release.countDown();
            }
            problems.assertNone();
        }
    }

    @EachProvider
    void offTheIoThreadFlushSendsWhatTheIoThreadWrote(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            StreamConnection c = p.connection;
            p.peer.setSoTimeout(5_000);
            byte[] message = bytes(new Payload(7), 0);
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Written (not flushed) on the I/O thread, which then stays busy: on the native engines
            // the bytes wait in the connection's output, for the end of an iteration that has not come.
            c.getIoThread().execute(() -> {
                try {
                    int n = c.getSinkChannel().write(ByteBuffer.wrap(message));
                    if (n != MESSAGE) {
                        problems.add("write() on the I/O thread took " + n + " of " + MESSAGE + " bytes");
                    }
                } catch (IOException e) {
                    problems.add("write() on the I/O thread failed: " + e);
                } finally {
                    written.countDown();
                }
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(written.await(10, TimeUnit.SECONDS), "the connection's I/O thread wrote and stays busy");
            try {
                // flush() from another thread sends what the I/O thread queued, without waiting for it.
                onWorkerThread(w, "flush()", () -> {
                    StreamSinkChannel sink = c.getSinkChannel();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!sink.flush()) {
                        if (System.nanoTime() - deadline > 0) {
                            throw new AssertionError("flush() did not return true within 5 s while the I/O thread was busy");
                        }
                        sink.awaitWritable(50, TimeUnit.MILLISECONDS);
                    }
                });
                assertArrayEquals(message, readFully(p.peer, MESSAGE), "peer reads what the I/O thread wrote, flushed by another thread");
            } finally {
                release.countDown();
            }
            problems.assertNone();
        }
    }

    @EachProvider
    void aListenersFlushedOutputLeavesWithoutAnotherEvent(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            StreamConnection c = p.connection;
            p.peer.setSoTimeout(5_000);
            Payload payload = new Payload(5);
            int messages = 10;
            CompletableFuture<Boolean> flushed = new CompletableFuture<>();
            c.getSinkChannel().setWriteListener(sink -> {
                sink.suspendWrites();
                try {
                    if (!w.onIoThread()) {
                        problems.add("write listener ran on " + Thread.currentThread());
                    }
                    boolean all = true;
                    // Several responses in one listener call, each flushed, as Undertow's pipelined HTTP/1 does.
                    for (int i = 0; i < messages; i++) {
                        int n = sink.write(ByteBuffer.wrap(bytes(payload, (long) i * MESSAGE)));
                        if (n != MESSAGE) {
                            problems.add("write() took " + n + " of " + MESSAGE + " bytes");
                        }
                        all &= sink.flush();
                    }
                    flushed.complete(all);
                } catch (Throwable t) {
                    flushed.completeExceptionally(t);
                }
            });
            c.getSinkChannel().resumeWrites();
            assertTrue(Await.get(flushed, LIMIT, "write listener on " + provider), "flush() returned true in the listener");
            byte[] expected = new byte[messages * MESSAGE];
            payload.fill(expected, 0, expected.length, 0);
            // Nothing else happens on this connection: the flushed bytes must leave on their own.
            assertArrayEquals(expected, readFully(p.peer, expected.length), "peer reads every flushed message, in order");
            problems.assertNone();
        }
    }

    private static byte[] bytes(Payload payload, long position) {
        byte[] b = new byte[MESSAGE];
        payload.fill(b, 0, MESSAGE, position);
        return b;
    }

    private static byte[] readFully(Socket peer, int length) throws IOException {
        byte[] b = new byte[length];
        new DataInputStream(peer.getInputStream()).readFully(b);
        return b;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on one of the worker's task threads (as blocking stream channels are used). */
    private static void onWorkerThread(TestWorker w, String what, Body body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        w.worker.execute(() -> {
            try {
                if (w.onIoThread()) {
                    throw new AssertionError("task ran on an I/O thread");
                }
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        Await.get(done, LIMIT, what + " on a worker thread");
    }
}
