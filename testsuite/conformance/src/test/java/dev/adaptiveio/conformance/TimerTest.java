package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.TestWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/** I/O thread timers: XNIO's NIO semantics (ms resolution, IMMEDIATE for delay <= 0, rejection after shutdown). */
class TimerTest {
    /** Late firing is bounded generously: the machine has 2 cores shared with other work. */
    private static final long LATE_MS = 1000;
    /** Timers have millisecond resolution; allow rounding of one tick. */
    private static final long EARLY_MS = 1;

    @EachProvider
    void executeAfterRunsInDelayOrderOnTheIoThreadNotEarly(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(0);
            long[] delays = {250, 50, 150, 100, 200, 10};
            List<Long> order = new CopyOnWriteArrayList<>();
            List<String> problems = new CopyOnWriteArrayList<>();
            CountDownLatch all = new CountDownLatch(delays.length);
            long start = System.nanoTime();
            for (long d : delays) {
                io.executeAfter(() -> {
                    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (Thread.currentThread() != io) {
                        problems.add("task for " + d + " ms ran on " + Thread.currentThread());
                    }
                    if (elapsed < d - EARLY_MS) {
                        problems.add("task for " + d + " ms ran after " + elapsed + " ms");
                    }
                    if (elapsed > d + LATE_MS) {
                        problems.add("task for " + d + " ms ran after " + elapsed + " ms");
                    }
                    order.add(d);
                    all.countDown();
                }, d, TimeUnit.MILLISECONDS);
            }
            assertTrue(all.await(10, TimeUnit.SECONDS), "timers fired: " + order);
            assertEquals(List.of(10L, 50L, 100L, 150L, 200L, 250L), order, "firing order");
            assertEquals(List.of(), problems);
        }
    }

    @EachProvider
    void executeAfterFromTheIoThreadAndOtherUnits(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(1);
            CompletableFuture<Long> fired = new CompletableFuture<>();
            long start = System.nanoTime();
            io.execute(() -> io.executeAfter(() -> fired.complete(System.nanoTime()), 120_000, TimeUnit.MICROSECONDS));
            long elapsed = TimeUnit.NANOSECONDS.toMillis(Await.get(fired, Duration.ofSeconds(10), "timer set from the I/O thread") - start);
            assertTrue(elapsed >= 120 - EARLY_MS && elapsed <= 120 + LATE_MS, "120 ms timer fired after " + elapsed + " ms");
        }
    }

    @EachProvider
    void keyRemoveCancels(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(0);
            AtomicInteger cancelledRuns = new AtomicInteger();
            XnioExecutor.Key key = io.executeAfter(cancelledRuns::incrementAndGet, 200, TimeUnit.MILLISECONDS);
            assertTrue(key.remove(), "remove() of a pending timer returns true");
            assertFalse(key.remove(), "second remove() returns false");

            CountDownLatch ran = new CountDownLatch(1);
            XnioExecutor.Key fired = io.executeAfter(ran::countDown, 20, TimeUnit.MILLISECONDS);
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            Await.sleep(20);
            assertFalse(fired.remove(), "remove() after the task ran returns false");

            Await.sleep(400);
            assertEquals(0, cancelledRuns.get(), "a removed timer ran");
        }
    }

    @EachProvider
    void zeroOrNegativeDelayRunsPromptlyAndReturnsImmediate(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(0);
            for (long delay : new long[] {0, -5}) {
                CompletableFuture<Thread> ran = new CompletableFuture<>();
                XnioExecutor.Key key = io.executeAfter(() -> ran.complete(Thread.currentThread()), delay, TimeUnit.MILLISECONDS);
                assertSame(XnioExecutor.Key.IMMEDIATE, key, "delay " + delay);
                assertSame(io, Await.get(ran, Duration.ofSeconds(1), "task with delay " + delay));
            }
            CompletableFuture<Thread> executed = new CompletableFuture<>();
            io.execute(() -> executed.complete(Thread.currentThread()));
            assertSame(io, Await.get(executed, Duration.ofSeconds(1), "execute()"));
        }
    }

    @EachProvider
    void executeAtIntervalRepeatsUntilRemoved(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(1);
            List<Long> runs = new CopyOnWriteArrayList<>();
            List<String> problems = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            XnioExecutor.Key key = io.executeAtInterval(() -> {
                if (Thread.currentThread() != io) {
                    problems.add("interval task on " + Thread.currentThread());
                }
                runs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }, 50, TimeUnit.MILLISECONDS);
            Await.until(() -> runs.size() >= 5, Duration.ofSeconds(10), () -> "5 runs of a 50 ms interval, got " + runs);
            assertTrue(runs.get(0) >= 50 - EARLY_MS, "first run of a 50 ms interval after " + runs.get(0) + " ms");
            assertTrue(runs.get(4) >= 5 * 50 - 5 * EARLY_MS, "5 runs of a 50 ms interval within " + runs.get(4) + " ms: " + runs);
            assertTrue(key.remove(), "remove() of a repeating timer");
            Await.sleep(100); // a run already under way may finish
            int after = runs.size();
            Await.sleep(300);
            assertEquals(after, runs.size(), "interval task ran after remove(): " + runs);
            assertEquals(List.of(), problems);
        }
    }

    @EachProvider
    void rejectedAfterShutdown(String provider) throws Exception {
        TestWorker w = TestWorker.start(provider);
        List<XnioIoThread> threads = new ArrayList<>(w.ioThreads());
        w.close(); // shutdown + awaitTermination
        for (XnioIoThread io : threads) {
            assertThrows(RejectedExecutionException.class, () -> io.executeAfter(() -> { }, 100, TimeUnit.MILLISECONDS));
            assertThrows(RejectedExecutionException.class, () -> io.executeAfter(() -> { }, 0, TimeUnit.MILLISECONDS));
            assertThrows(RejectedExecutionException.class, () -> io.executeAtInterval(() -> { }, 100, TimeUnit.MILLISECONDS));
            assertThrows(RejectedExecutionException.class, () -> io.execute(() -> { }));
        }
        assertThrows(RejectedExecutionException.class, () -> w.worker.execute(() -> { }), "worker task pool after shutdown");
    }
}
