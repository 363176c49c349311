package dev.adaptiveio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The ring wakes for its thread's timers with TIMEOUT ops it keeps armed across waits, not one
 * per blocking wait: a pending timer costs one TIMEOUT however often the thread wakes before it
 * is due, an earlier timer arms another, and every timer still runs on time.
 */
class UringTimerTest {

    private XnioWorker worker;
    private UringIoThread thread;

    @BeforeEach
    void start() throws Exception {
        worker = UringWorkers.create(1);
        XnioIoThread t = worker.getIoThread();
        assertTrue(t instanceof UringIoThread, "an io_uring thread: " + t);
        thread = (UringIoThread) t;
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPendingTimerCostsOneTimeoutHoweverOftenTheThreadWakes() throws Exception {
        long armedBefore = onThread(() -> thread.ring().timeoutsArmed());
        CountDownLatch fired = new CountDownLatch(1);
        long start = System.nanoTime();
        XnioExecutor.Key key = thread.executeAfter(fired::countDown, 1500, TimeUnit.MILLISECONDS);
        // 200 wake-ups, each a task from this thread and so one blocking wait ended early.
        for (int i = 0; i < 200; i++) {
            onThread(() -> 0L);
        }
        long armedAfter = onThread(() -> thread.ring().timeoutsArmed());
        // A bare worker has no other timer: exactly one TIMEOUT, armed for this one, and kept.
        assertEquals(1, armedAfter - armedBefore, "one TIMEOUT for the pending timer, kept armed across 200 waits");
        assertFalse(fired.await(300, TimeUnit.MILLISECONDS), "not due yet");
        assertTrue(fired.await(10, TimeUnit.SECONDS), "the timer runs");
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(1500), "not before its delay");
        assertFalse(key.remove(), "already run");
    }

    @Test
    void anEarlierTimerArmsItsOwnTimeoutAndRunsOnTime() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        thread.executeAfter(late::countDown, 5, TimeUnit.SECONDS);
        onThread(() -> 0L); // the 5 s TIMEOUT is armed by the wait after this
        CountDownLatch early = new CountDownLatch(1);
        long start = System.nanoTime();
        thread.executeAfter(early::countDown, 100, TimeUnit.MILLISECONDS);
        assertTrue(early.await(3, TimeUnit.SECONDS), "the earlier timer is not held back by the later TIMEOUT");
        long took = System.nanoTime() - start;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(100), "not before its delay: " + took + " ns");
        assertEquals(1, late.getCount(), "the later timer is still pending");
    }

    private long onThread(java.util.concurrent.Callable<Long> task) throws Exception {
        return UringWorkers.onThread(thread, task);
    }
}
