package dev.adaptiveio.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioWorker;
import org.xnio.management.XnioWorkerMXBean;

import dev.adaptiveio.adaptive.control.AdaptiveOptions;

/**
 * The worker factory against real XNIO providers: the real NIO provider stands in for a working engine (it is the
 * only provider that exists on every class path), an impostor for a provider that lies about its name.
 */
class WorkerFactoryTest {

    private static WorkerConfiguration config(String name, String engine, int ioThreads, int core, int max, long stackSize, boolean transplant) {
        return new WorkerConfiguration(name, engine, ioThreads, core, max, 45_000, stackSize,
                transplant ? OptionMap.create(AdaptiveOptions.TRANSPLANT, true) : OptionMap.EMPTY);
    }

    @Test
    void createsWorkerFromTheModelsOptions() {
        WorkerConfiguration config = config("factory-test", "nio", 2, 3, 7, 0, false);
        XnioWorker worker = new WorkerFactory(config, ProviderLoaders.only("org.xnio.nio.NioXnioProvider")).get();
        try {
            assertEquals("nio", worker.getXnio().getName(), "provider that actually runs");
            assertEquals("factory-test", worker.getName());
            assertEquals(2, worker.getIoThreadCount());
            XnioWorkerMXBean mxBean = worker.getMXBean();
            assertEquals(3, mxBean.getCoreWorkerPoolSize());
            assertEquals(7, mxBean.getMaxWorkerPoolSize());
            assertEquals(2, mxBean.getIoThreadCount());
        } finally {
            WorkerFactory.stop(worker);
        }
        assertTrue(worker.isTerminated(), "stop() waits for the worker's threads");
    }

    @Test
    void missingEngineFailsWithTheEngineName() throws Exception {
        WorkerConfiguration config = config("no-uring", "io_uring", 1, 1, 2, 0, false);
        WorkerStartException e = assertThrows(WorkerStartException.class,
                () -> new WorkerFactory(config, ProviderLoaders.only("org.xnio.nio.NioXnioProvider")).get());
        assertTrue(e.getMessage().startsWith("ADIOWF0005"), e.getMessage());
        assertTrue(e.getMessage().contains("'io_uring'"), e.getMessage());
        assertEquals(e.getMessage(), e.toString(), "WildFly prints toString(): no class name noise");
    }

    @Test
    void providerThatCannotStartReportsItsOwnReason() {
        WorkerConfiguration config = config("broken-uring", "io_uring", 1, 1, 2, 0, false);
        WorkerStartException e = assertThrows(WorkerStartException.class, () -> new WorkerFactory(config,
                ProviderLoaders.only("org.xnio.nio.NioXnioProvider", BrokenUringProvider.class.getName())).get());
        assertTrue(e.getMessage().startsWith("ADIOWF0018"), e.getMessage());
        assertTrue(e.getMessage().contains("kernel.io_uring_disabled=2"), "XNIO hides this at DEBUG; we must not: " + e.getMessage());
    }

    @Test
    void providerReturningAnotherEngineIsRefused() {
        WorkerConfiguration config = config("impostor", "epoll", 1, 1, 2, 0, false);
        WorkerStartException e = assertThrows(WorkerStartException.class,
                () -> new WorkerFactory(config, ProviderLoaders.only(ImpostorEpollProvider.class.getName())).get());
        assertTrue(e.getMessage().startsWith("ADIOWF0006"), e.getMessage());
        assertTrue(e.getMessage().contains("returned provider 'nio'"), e.getMessage());
    }

    @Test
    void optionMapCarriesThreadsAndTheEngineOptions() {
        OptionMap epoll = config("e", "epoll", 4, 2, 32, 0, false).toOptionMap();
        assertEquals("e", epoll.get(Options.WORKER_NAME));
        assertEquals(4, epoll.get(Options.WORKER_IO_THREADS, -1));
        assertEquals(2, epoll.get(Options.WORKER_TASK_CORE_THREADS, -1));
        assertEquals(32, epoll.get(Options.WORKER_TASK_MAX_THREADS, -1));
        assertEquals(45_000, epoll.get(Options.WORKER_TASK_KEEPALIVE, -1));
        assertFalse(epoll.contains(Options.STACK_SIZE), "0 means JVM default: not passed");
        assertFalse(epoll.contains(AdaptiveOptions.TRANSPLANT));

        OptionMap adaptive = config("a", "adaptive", 2, 2, 16, 1 << 20, true).toOptionMap();
        assertEquals(1L << 20, adaptive.get(Options.STACK_SIZE, -1L));
        assertEquals(Boolean.TRUE, adaptive.get(AdaptiveOptions.TRANSPLANT));
        assertEquals("a", adaptive.get(Options.WORKER_NAME));
    }

    @Test
    void stopOfAnIdleWorkerIsPrompt() throws Exception {
        XnioWorker worker = new WorkerFactory(config("stop-test", "nio", 1, 1, 2, 0, false),
                ProviderLoaders.only("org.xnio.nio.NioXnioProvider")).get();
        WorkerFactory.stop(worker);
        assertTrue(worker.awaitTermination(1, TimeUnit.MILLISECONDS));
    }
}
