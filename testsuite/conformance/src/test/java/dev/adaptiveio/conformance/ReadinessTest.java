package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Readiness semantics of connections and accepting channels: XNIO listeners are level-triggered
 * (called again while the channel stays ready and resumed), run on the connection's I/O thread, and
 * stop while suspended. A 0 from read in a listener (spurious wakeup) is tolerated everywhere.
 */
class ReadinessTest {
    /** How long "nothing happens" is observed. */
    private static final long QUIET_MS = 300;

    @EachProvider
    void acceptingChannelStartsSuspendedAndSuspendResumeAccepts(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.create(w, OptionMap.EMPTY, problems, c -> { });
             Socket first = new Socket(); Socket second = new Socket()) {
            assertFalse(server.channel.isAcceptResumed(), "a new accepting channel starts suspended");
            first.connect(server.address(), 5_000); // completes in the kernel's backlog
            Await.sleep(QUIET_MS);
            assertEquals(0, server.listenerCalls.get(), "accept listener called before resumeAccepts()");

            server.channel.resumeAccepts();
            assertTrue(server.channel.isAcceptResumed());
            Await.until(() -> server.accepted.get() == 1, Duration.ofSeconds(10), "first connection accepted after resumeAccepts()");

            server.channel.suspendAccepts();
            assertFalse(server.channel.isAcceptResumed());
            Await.sleep(50); // a listener call already queued may still run; it finds nothing
            second.connect(server.address(), 5_000);
            Await.sleep(QUIET_MS);
            assertEquals(1, server.accepted.get(), "a connection was accepted while accepts were suspended");

            server.channel.resumeAccepts();
            Await.until(() -> server.accepted.get() == 2, Duration.ofSeconds(10), "second connection accepted after resuming");
        }
        problems.assertNone();
    }

    @EachProvider
    void readsStartSuspendedRunOnIoThreadAndStopWhileSuspended(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            assertFalse(source.isReadResumed(), "an accepted connection starts with reads suspended");
            assertFalse(p.connection.getSinkChannel().isWriteResumed(), "an accepted connection starts with writes suspended");
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            AtomicInteger calls = new AtomicInteger();
            ByteBuffer buf = ByteBuffer.allocate(64);
            source.setReadListener(ch -> {
                calls.incrementAndGet();
                if (Thread.currentThread() != p.connection.getIoThread()) {
                    problems.add("read listener on " + Thread.currentThread() + ", not the connection's I/O thread");
                }
                try {
                    int n;
                    while ((n = ch.read(buf)) > 0) {
                        synchronized (got) {
                            got.write(buf.array(), 0, buf.position());
                        }
                        buf.clear();
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write(new byte[10]);
            Await.sleep(QUIET_MS);
            assertEquals(0, calls.get(), "read listener called while reads were never resumed");

            source.resumeReads();
            assertTrue(source.isReadResumed());
            Await.until(() -> size(got) == 10, Duration.ofSeconds(10), "10 bytes after resumeReads()");

            source.suspendReads();
            assertFalse(source.isReadResumed());
            Await.sleep(50);
            int before = calls.get();
            p.peer.getOutputStream().write(new byte[5]);
            Await.sleep(QUIET_MS);
            assertEquals(before, calls.get(), "read listener called while reads were suspended");
            assertEquals(10, size(got));

            source.resumeReads();
            Await.until(() -> size(got) == 15, Duration.ofSeconds(10), "bytes that arrived while suspended, after resuming");
        }
        problems.assertNone();
    }

    /** A listener that leaves data unread is called again without new data arriving (level-triggered). */
    @EachProvider
    void listenerReadingOneByteAtATimeIsCalledUntilAllIsRead(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            AtomicInteger read = new AtomicInteger();
            ByteBuffer one = ByteBuffer.allocate(1);
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            source.setReadListener(ch -> {
                try {
                    one.clear();
                    if (ch.read(one) > 0) {
                        read.incrementAndGet();
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write(new byte[4096]);
            source.resumeReads();
            Await.until(() -> read.get() == 4096, Duration.ofSeconds(20), () -> read.get() + "/4096 bytes read one per call");
        }
        problems.assertNone();
    }

    /** Suspending in the listener with data left, then resuming from another thread, delivers the rest. */
    @EachProvider
    void resumeFromOtherThreadAfterSuspendInListenerDeliversBufferedData(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            Semaphore suspended = new Semaphore(0);
            AtomicInteger read = new AtomicInteger();
            ByteBuffer hundred = ByteBuffer.allocate(100);
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            source.setReadListener(ch -> {
                try {
                    hundred.clear();
                    int n = ch.read(hundred);
                    if (n > 0) {
                        read.addAndGet(n);
                        ch.suspendReads();
                        suspended.release();
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write(new byte[1000]);
            Await.sleep(50); // all 1000 bytes sit in the socket before the first call
            for (int round = 0; read.get() < 1000; round++) {
                assertTrue(round < 20, "too many rounds");
                source.resumeReads(); // from the test thread, no new data arrives
                assertTrue(suspended.tryAcquire(10, TimeUnit.SECONDS), "no read listener call after resumeReads() with "
                        + (1000 - read.get()) + " bytes still buffered in the socket");
            }
            assertEquals(1000, read.get());
        }
        problems.assertNone();
    }

    @EachProvider
    void wakeupReadsCallsListenerWithoutData(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            CompletableFuture<Integer> result = new CompletableFuture<>();
            p.connection.getSourceChannel().setReadListener(ch -> {
                try {
                    ch.suspendReads();
                    if (Thread.currentThread() != p.connection.getIoThread()) {
                        problems.add("woken read listener on " + Thread.currentThread());
                    }
                    result.complete(ch.read(ByteBuffer.allocate(16)));
                } catch (IOException e) {
                    result.completeExceptionally(e);
                }
            });
            p.connection.getSourceChannel().wakeupReads();
            assertEquals(0, Await.get(result, Duration.ofSeconds(10), "listener call after wakeupReads()"),
                    "read after a wakeup with no data returns 0");
        }
        problems.assertNone();
    }

    @EachProvider
    void resumeAndWakeupWritesCallListenerOnIoThread(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            Semaphore calls = new Semaphore(0);
            sink.setWriteListener(ch -> {
                if (Thread.currentThread() != p.connection.getIoThread()) {
                    problems.add("write listener on " + Thread.currentThread());
                }
                ch.suspendWrites();
                calls.release();
            });
            sink.resumeWrites();
            assertTrue(calls.tryAcquire(10, TimeUnit.SECONDS), "an idle socket is writable: listener after resumeWrites()");
            Await.sleep(50);
            assertFalse(sink.isWriteResumed());
            calls.drainPermits();
            Await.sleep(QUIET_MS);
            assertEquals(0, calls.availablePermits(), "write listener called while writes were suspended");
            sink.wakeupWrites();
            assertTrue(calls.tryAcquire(10, TimeUnit.SECONDS), "listener after wakeupWrites()");
        }
        problems.assertNone();
    }

    /**
     * Back-pressure: the listener writes until write returns 0 and stays resumed; it must be called
     * again once the peer drains, until 16 MB are through.
     */
    @EachProvider
    void writeListenerResumesWhenPeerDrains(String provider) throws Exception {
        long total = 16L * 1024 * 1024;
        Payload payload = new Payload(7);
        Problems problems = new Problems();
        OptionMap small = OptionMap.create(Options.SEND_BUFFER, 32 * 1024);
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, small, problems, s -> s.setReceiveBufferSize(32 * 1024))) {
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            AtomicLong written = new AtomicLong();
            AtomicInteger fullSocket = new AtomicInteger();
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024).limit(0);
            CompletableFuture<Void> done = new CompletableFuture<>();
            sink.setWriteListener(ch -> {
                try {
                    while (written.get() < total) {
                        if (!chunk.hasRemaining()) {
                            chunk.clear();
                            int n = (int) Math.min(chunk.capacity(), total - written.get());
                            payload.put(chunk, n, written.get());
                            chunk.flip();
                        }
                        int n = ch.write(chunk);
                        if (n == 0) {
                            fullSocket.incrementAndGet();
                            return;
                        }
                        written.addAndGet(n);
                    }
                    ch.suspendWrites();
                    ch.shutdownWrites();
                    ch.flush();
                    done.complete(null);
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
            });
            sink.resumeWrites();
            Await.until(() -> fullSocket.get() > 0, Duration.ofSeconds(10), "write returned 0 with a non-reading peer");
            long stalledAt = written.get();
            Await.sleep(QUIET_MS);
            assertTrue(written.get() - stalledAt < total / 2, "kept writing with a non-reading peer");
            CRC32 crc = new CRC32();
            long received = 0;
            InputStream in = p.peer.getInputStream();
            byte[] buf = new byte[32 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                crc.update(buf, 0, n);
                received += n;
            }
            Await.get(done, Duration.ofSeconds(10), "writer finished");
            assertEquals(total, received);
            assertEquals(payload.crc(total), crc.getValue());
        }
        problems.assertNone();
    }

    @EachProvider
    void eofAfterPeerCloseThenCloseListener(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConcurrentLinkedQueue<Integer> results = new ConcurrentLinkedQueue<>();
            CompletableFuture<Void> eof = new CompletableFuture<>();
            CompletableFuture<Thread> closed = new CompletableFuture<>();
            p.connection.setCloseListener(c -> closed.complete(Thread.currentThread()));
            ByteBuffer buf = ByteBuffer.allocate(64);
            p.connection.getSourceChannel().setReadListener(ch -> {
                try {
                    int n;
                    while ((n = ch.read(buf)) > 0) {
                        results.add(n);
                    }
                    if (n < 0) {
                        results.add(n);
                        results.add(ch.read(buf)); // EOF is sticky
                        eof.complete(null);
                        IoUtils.safeClose(p.connection);
                    }
                } catch (IOException e) {
                    eof.completeExceptionally(e);
                }
            });
            p.connection.getSourceChannel().resumeReads();
            p.peer.getOutputStream().write("bye".getBytes());
            p.peer.close();
            Await.get(eof, Duration.ofSeconds(10), "-1 after the peer closed");
            assertEquals(3, results.stream().filter(n -> n > 0).mapToInt(Integer::intValue).sum(), "bytes before EOF: " + results);
            assertEquals(-1, (int) results.stream().reduce((a, b) -> b).orElseThrow(), "read after -1: " + results);
            Await.get(closed, Duration.ofSeconds(10), "close listener");
            assertFalse(p.connection.isOpen());
        }
        problems.assertNone();
    }

    /** The peer resets (SO_LINGER 0): read reports IOException or -1, and the connection closes. */
    @EachProvider
    void resetByPeer(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            p.connection.setCloseListener(c -> closed.complete(null));
            ByteBuffer buf = ByteBuffer.allocate(64);
            p.connection.getSourceChannel().setReadListener(ch -> {
                try {
                    int n;
                    while ((n = ch.read(buf)) > 0) {
                        buf.clear();
                    }
                    if (n < 0) {
                        outcome.complete("eof");
                        IoUtils.safeClose(p.connection);
                    }
                } catch (IOException e) {
                    outcome.complete("exception " + e);
                    IoUtils.safeClose(p.connection);
                }
            });
            p.connection.getSourceChannel().resumeReads();
            p.peer.getOutputStream().write("partial".getBytes());
            p.peer.setSoLinger(true, 0);
            p.peer.close();
            String how = Await.get(outcome, Duration.ofSeconds(10), "read reporting the reset");
            assertTrue(how.equals("eof") || how.startsWith("exception"), how);
            Await.get(closed, Duration.ofSeconds(10), "close listener after reset");
            assertFalse(p.connection.isOpen());
            // Writing to a reset connection fails instead of pretending to succeed forever.
            assertWriteFails(p.connection);
        }
        problems.assertNone();
    }

    /**
     * Writing to a connection the peer reset fails with an IOException: no hang, no silent success,
     * no SIGPIPE. The writes happen in the write listener, so a completion-based provider gets its
     * loop iterations to learn of the failed send between calls.
     */
    @EachProvider
    void writeAfterPeerResetFails(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            p.peer.setSoLinger(true, 0);
            p.peer.close();
            Await.sleep(100); // the RST has arrived on loopback
            CompletableFuture<IOException> failure = new CompletableFuture<>();
            AtomicLong accepted = new AtomicLong();
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            ConduitStreamSinkChannel sink = p.connection.getSinkChannel();
            sink.setWriteListener(ch -> {
                try {
                    chunk.clear();
                    accepted.addAndGet(ch.write(chunk));
                } catch (IOException expected) {
                    ch.suspendWrites();
                    failure.complete(expected);
                }
            });
            sink.resumeWrites();
            Await.until(failure::isDone, Duration.ofSeconds(10),
                    () -> "no write to the reset connection failed; " + accepted.get() + " bytes were accepted");
        }
        problems.assertNone();
    }

    private static void assertWriteFails(StreamConnection c) {
        try {
            ByteBuffer b = ByteBuffer.allocate(1024);
            for (int i = 0; i < 100; i++) {
                b.clear();
                c.getSinkChannel().write(b);
            }
            throw new AssertionError("write to a closed connection did not fail");
        } catch (IOException expected) {
            // ClosedChannelException or similar
        }
    }

    private static int size(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.size();
        }
    }
}
