package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Pair;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * READ_TIMEOUT as stock NIO implements it: checked lazily by read(). After data has been read, a
 * read that finds no data once more than the timeout has passed throws ReadTimeoutException; a read
 * before that returns 0.
 */
class ReadTimeoutTest {
    private static final int TIMEOUT_MS = 1000;

    @EachProvider
    void readAfterTimeoutWithoutDataThrows(String provider) throws Exception {
        check(provider, OptionMap.EMPTY, true);
    }

    /** Same, with the timeout inherited from the server's options (how Undertow sets it). */
    @EachProvider
    void timeoutFromServerOptions(String provider) throws Exception {
        check(provider, OptionMap.create(Options.READ_TIMEOUT, TIMEOUT_MS), false);
    }

    private void check(String provider, OptionMap serverOptions, boolean setOnConnection) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Pair p = Pair.open(w, serverOptions, problems, null)) {
            if (setOnConnection) {
                p.connection.setOption(Options.READ_TIMEOUT, TIMEOUT_MS);
            }
            assertEquals(TIMEOUT_MS, p.connection.getOption(Options.READ_TIMEOUT));
            ConduitStreamSourceChannel source = p.connection.getSourceChannel();
            CompletableFuture<Integer> early = new CompletableFuture<>();
            CompletableFuture<Throwable> late = new CompletableFuture<>();
            ByteBuffer buf = ByteBuffer.allocate(64);
            source.setReadListener(ch -> {
                try {
                    int n = ch.read(buf);
                    if (n <= 0) {
                        return; // spurious wakeup
                    }
                    while (ch.read(buf) > 0) {
                        // drain
                    }
                    ch.suspendReads();
                    // Data just arrived; probe well inside and well past the timeout, from the I/O thread.
                    ch.getIoThread().executeAfter(() -> {
                        try {
                            early.complete(ch.read(buf));
                        } catch (IOException e) {
                            early.completeExceptionally(e);
                        }
                    }, 100, TimeUnit.MILLISECONDS);
                    ch.getIoThread().executeAfter(() -> {
                        try {
                            int r = ch.read(buf);
                            late.completeExceptionally(new AssertionError("read " + TIMEOUT_MS * 2 + " ms after the last data returned " + r));
                        } catch (IOException e) {
                            late.complete(e);
                        }
                    }, TIMEOUT_MS * 2L, TimeUnit.MILLISECONDS);
                } catch (IOException e) {
                    problems.add(e);
                }
            });
            source.resumeReads();
            p.peer.getOutputStream().write("data".getBytes());
            assertEquals(0, Await.get(early, Duration.ofSeconds(10), "read before the timeout"), "read before the timeout");
            Throwable thrown = Await.get(late, Duration.ofSeconds(10), "read after the timeout");
            assertInstanceOf(ReadTimeoutException.class, thrown, "read after the timeout");
        }
        problems.assertNone();
    }
}
