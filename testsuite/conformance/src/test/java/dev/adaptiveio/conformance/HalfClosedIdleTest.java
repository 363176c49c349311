package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A connection whose peer has sent its FIN, left idle with its read listener resumed, must cost
 * no CPU. An EOF stays readable for ever, so a provider that keeps dispatching a resumed listener
 * on it calls it on every loop iteration (tens of thousands of times a second). NIO's socket
 * conduit shuts reads down, and so suspends them, at the first -1 and on {@code shutdownReads()}:
 * its listener is called once. The counts are taken over 500 ms after the listener saw the end.
 */
class HalfClosedIdleTest {
    /** NIO calls the listener 0 times after the end; a few allow for a late, harmless dispatch. */
    private static final int MAX_CALLS_AFTER_END = 3;
    private static final long QUIET_MILLIS = 500;

    /** The listener reads to -1 and stays resumed, doing nothing else. */
    @EachProvider
    void listenerThatReadEofIsNotCalledAgain(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            AtomicInteger calls = new AtomicInteger();
            AtomicLong callsAtEof = new AtomicLong(-1);
            source.getReadSetter().set(ch -> {
                int call = calls.incrementAndGet();
                try {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    int n;
                    while ((n = source.read(buf.clear())) > 0) {
                        // drain
                    }
                    if (n < 0) {
                        callsAtEof.compareAndSet(-1, call);
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write("request".getBytes());
            p.peer.shutdownOutput();
            source.resumeReads();
            Await.until(() -> callsAtEof.get() >= 0, Duration.ofSeconds(10), "listener read -1");
            Await.sleep(QUIET_MILLIS);
            int after = calls.get() - (int) callsAtEof.get();
            System.out.println(provider + ": " + calls.get() + " listener call(s) in all, " + after + " in " + QUIET_MILLIS + " ms after -1");
            assertTrue(after <= MAX_CALLS_AFTER_END, "read listener called " + after + " times in " + QUIET_MILLIS
                    + " ms after it read -1 on an idle half-closed connection (NIO: 0)");
            assertTrue(p.connection.isReadShutdown(), "reads are shut down after -1, as on NIO");
            assertEquals(-1, source.read(ByteBuffer.allocate(8)), "EOF stays");
        }
        problems.assertNone();
    }

    /**
     * The peer's request and FIN are both queued before reads resume; the listener reads once
     * (a buffer larger than the request: it does not see -1) and calls {@code shutdownReads()},
     * staying resumed.
     */
    @EachProvider
    void shutdownReadsAfterPeerEofStopsTheListener(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            AtomicInteger calls = new AtomicInteger();
            AtomicLong callsAtShutdown = new AtomicLong(-1);
            ByteBuffer buf = ByteBuffer.allocate(4096);
            source.getReadSetter().set(ch -> {
                int call = calls.incrementAndGet();
                if (callsAtShutdown.get() >= 0) {
                    return; // a listener that has nothing more to do
                }
                try {
                    source.read(buf);
                    if (buf.position() == 7) {
                        source.shutdownReads();
                        callsAtShutdown.set(call);
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write("request".getBytes());
            p.peer.shutdownOutput();
            Await.sleep(100); // the FIN is in the server's kernel before reads resume
            source.resumeReads();
            Await.until(() -> callsAtShutdown.get() >= 0, Duration.ofSeconds(10), "listener read the request");
            Await.sleep(QUIET_MILLIS);
            int after = calls.get() - (int) callsAtShutdown.get();
            System.out.println(provider + ": " + calls.get() + " listener call(s) in all, " + after + " in " + QUIET_MILLIS
                    + " ms after shutdownReads()");
            assertTrue(after <= MAX_CALLS_AFTER_END, "read listener called " + after + " times in " + QUIET_MILLIS
                    + " ms after shutdownReads() on a connection whose peer sent EOF (NIO: 0)");
            assertTrue(p.connection.isReadShutdown(), "isReadShutdown after shutdownReads");
        }
        problems.assertNone();
    }

    /**
     * A listener that reads -1, shuts reads down and resumes them once more (as code that does not
     * track the end would): NIO suspends at the next readiness and calls it once more, not for
     * ever. The
     * source channel's close listener (told through the conduit's {@code terminated()}) runs
     * once, although the end is reached by the read of -1, {@code shutdownReads()} and
     * {@code close()}.
     */
    @EachProvider
    void listenerResumedAfterEofIsNotCalledForEver(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, problems)) {
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger sourceClosed = new AtomicInteger();
            AtomicLong callsAtEof = new AtomicLong(-1);
            source.getCloseSetter().set(ch -> sourceClosed.incrementAndGet());
            source.getReadSetter().set(ch -> {
                int call = calls.incrementAndGet();
                try {
                    int n = source.read(ByteBuffer.allocate(64));
                    if (n < 0 && callsAtEof.compareAndSet(-1, call)) {
                        source.shutdownReads();
                        source.resumeReads(); // once; NIO suspends again at the next readiness
                    }
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            p.peer.getOutputStream().write("request".getBytes());
            p.peer.shutdownOutput();
            source.resumeReads();
            Await.until(() -> callsAtEof.get() >= 0, Duration.ofSeconds(10), "listener read -1");
            Await.sleep(QUIET_MILLIS);
            int after = calls.get() - (int) callsAtEof.get();
            System.out.println(provider + ": resumed after -1: " + after + " call(s) in " + QUIET_MILLIS + " ms");
            assertTrue(after <= MAX_CALLS_AFTER_END, "read listener resumed after -1 was called " + after + " times in "
                    + QUIET_MILLIS + " ms (NIO: once more, then suspended)");
            p.connection.close();
            Await.sleep(100);
            assertEquals(1, sourceClosed.get(), "the source channel's close listener runs once");
        }
        problems.assertNone();
    }
}
