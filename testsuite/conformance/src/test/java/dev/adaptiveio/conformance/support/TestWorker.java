package dev.adaptiveio.conformance.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioProvider;
import org.xnio.XnioWorker;

/**
 * A worker of the provider under test. Loading asserts that the requested provider really ran: XNIO
 * skips a provider whose {@code getInstance()} throws and would otherwise hand back NIO.
 */
public final class TestWorker implements AutoCloseable {
    public static final int IO_THREADS = 2;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    public final String provider;
    public final Xnio xnio;
    public final XnioWorker worker;
    /** WORKER_NAME; XnioWorker names its task threads after it. */
    public final String name;

    private TestWorker(String provider, Xnio xnio, XnioWorker worker, String name) {
        this.provider = provider;
        this.xnio = xnio;
        this.worker = worker;
        this.name = name;
    }

    public static TestWorker start(String provider) {
        return start(provider, OptionMap.EMPTY);
    }

    public static TestWorker start(String provider, OptionMap extra) {
        Xnio xnio = load(provider);
        String name = "conformance-" + provider + "-" + SEQUENCE.incrementAndGet();
        OptionMap options = OptionMap.builder()
                .set(Options.WORKER_NAME, name)
                .set(Options.WORKER_IO_THREADS, IO_THREADS)
                .set(Options.WORKER_TASK_CORE_THREADS, 4)
                .set(Options.WORKER_TASK_MAX_THREADS, 32)
                .set(Options.THREAD_DAEMON, true)
                .addAll(extra)
                .getMap();
        XnioWorker worker;
        try {
            worker = xnio.createWorker(options);
        } catch (IOException e) {
            throw new AssertionError("provider '" + provider + "' failed to create a worker", e);
        }
        assertSame(provider, worker);
        return new TestWorker(provider, xnio, worker, name);
    }

    /** Xnio.getInstance(name, cl), failing with the provider's own error when it exists but refused to load. */
    public static Xnio load(String provider) {
        ClassLoader cl = TestWorker.class.getClassLoader();
        Xnio xnio;
        try {
            xnio = Xnio.getInstance(provider, cl);
        } catch (IllegalArgumentException noProvider) {
            List<String> found = new ArrayList<>();
            for (ServiceLoader.Provider<XnioProvider> p : ServiceLoader.load(XnioProvider.class, cl).stream().toList()) {
                XnioProvider candidate = p.get();
                found.add(candidate.getName());
                if (provider.equals(candidate.getName())) {
                    try {
                        candidate.getInstance();
                    } catch (Throwable why) {
                        throw new AssertionError("XNIO provider '" + provider + "' is on the class path but failed to load", why);
                    }
                }
            }
            throw new AssertionError("XNIO provider '" + provider + "' is not on the test class path (found " + found
                    + "); add its artifact to the test dependencies of testsuite/conformance", noProvider);
        }
        assertEquals(provider, xnio.getName(), "XNIO handed back a different provider than requested");
        return xnio;
    }

    private static void assertSame(String provider, XnioWorker worker) {
        assertEquals(provider, worker.getXnio().getName(), "worker belongs to another provider");
        assertEquals(IO_THREADS, worker.getIoThreadCount(), "WORKER_IO_THREADS not honoured");
        if (!provider.equals("nio")) {
            // A native provider must not be running on stock NIO underneath.
            assertFalse(worker.getClass().getName().startsWith("org.xnio.nio."), () -> "worker class " + worker.getClass());
            for (int i = 0; i < worker.getIoThreadCount(); i++) {
                XnioIoThread t = worker.getIoThread(i);
                assertFalse(t.getClass().getName().startsWith("org.xnio.nio."), () -> "I/O thread class " + t.getClass());
            }
        }
    }

    public XnioIoThread ioThread(int i) {
        return worker.getIoThread(i);
    }

    public List<XnioIoThread> ioThreads() {
        List<XnioIoThread> threads = new ArrayList<>();
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            threads.add(worker.getIoThread(i));
        }
        return threads;
    }

    /** True if the calling thread is one of this worker's I/O threads. */
    public boolean onIoThread() {
        Thread current = Thread.currentThread();
        return current instanceof XnioIoThread io && io.getWorker() == worker;
    }

    /** State and top frames of the worker's live threads (I/O threads and those named after it). */
    private String describeThreads() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            boolean mine = t instanceof XnioIoThread io && io.getWorker() == worker || t.getName().startsWith(name + " ");
            if (mine && t.isAlive()) {
                out.append("\n  ").append(t.getName()).append(' ').append(t.getState());
                for (int i = 0; i < Math.min(6, frames.length); i++) {
                    out.append("\n    at ").append(frames[i]);
                }
            }
        });
        return out.toString();
    }

    /** Shuts down and asserts the worker terminates in bounded time; every test ends here. */
    @Override
    public void close() {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(20, TimeUnit.SECONDS)) {
                String threads = describeThreads();
                worker.shutdownNow();
                fail("worker " + name + " (" + provider + ") did not terminate within 20 s of shutdown(); its threads:" + threads);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted awaiting termination");
        }
        assertTrue(worker.isTerminated(), "awaitTermination returned true but isTerminated() is false");
    }
}
