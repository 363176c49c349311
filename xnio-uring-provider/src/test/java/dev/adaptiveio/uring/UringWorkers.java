package dev.adaptiveio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * A worker of the io_uring provider for tests (skipped where io_uring is unusable, provider
 * asserted), and running a piece of a test on one of its I/O threads.
 */
final class UringWorkers {

    private UringWorkers() {
    }

    static XnioWorker create(int ioThreads) throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio xnio = Xnio.getInstance("io_uring", UringWorkers.class.getClassLoader());
        // XNIO falls back to NIO silently: make sure the provider asked for is the one that runs.
        assertEquals("io_uring", xnio.getName());
        return xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, ioThreads));
    }

    /** Runs {@code body} on {@code thread} and returns its result or throws its failure (10 s at most). */
    static <T> T onThread(XnioIoThread thread, Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
