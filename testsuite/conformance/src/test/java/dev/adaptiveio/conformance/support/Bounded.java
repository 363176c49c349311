package dev.adaptiveio.conformance.support;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xnio.channels.StreamSinkChannel;

/**
 * Bounds for blocking calls a provider might never return from: untimed awaitReadable/awaitWritable
 * need not react to interruption, so JUnit's timeout could not end them.
 */
public final class Bounded {
    private Bounded() {
    }

    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on a daemon thread; fails if it has not finished within {@code limit}. */
    public static void run(String what, Duration limit, Body body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "conformance-bounded");
        t.setDaemon(true);
        t.start();
        try {
            done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            throw new AssertionError(what + " did not finish within " + limit.toMillis() + " ms (stuck in: "
                    + stack(t) + ")");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }

    /** flush() until it completes, waiting with timed awaitWritable, within {@code limit}. */
    public static void flush(StreamSinkChannel sink, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!sink.flush()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("flush() did not complete within " + limit.toMillis() + " ms");
            }
            sink.awaitWritable(100, TimeUnit.MILLISECONDS);
        }
    }

    private static String stack(Thread t) {
        StringBuilder b = new StringBuilder();
        StackTraceElement[] frames = t.getStackTrace();
        for (int i = 0; i < Math.min(8, frames.length); i++) {
            b.append(i == 0 ? "" : " <- ").append(frames[i]);
        }
        return b.toString();
    }
}
