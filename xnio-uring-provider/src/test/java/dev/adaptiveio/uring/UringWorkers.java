package dev.adaptiveio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/** A worker of the io_uring provider for tests: skipped where io_uring is unusable, provider asserted. */
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
}
