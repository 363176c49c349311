package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/** A worker of the epoll provider for tests, the provider asserted. */
final class EpollWorkers {

    private EpollWorkers() {
    }

    static NativeXnioWorker create(int ioThreads) throws Exception {
        Xnio xnio = Xnio.getInstance("epoll", EpollWorkers.class.getClassLoader());
        // XNIO falls back to NIO silently: make sure the provider asked for is the one that runs.
        assertEquals("epoll", xnio.getName());
        return (NativeXnioWorker) xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, ioThreads));
    }
}
