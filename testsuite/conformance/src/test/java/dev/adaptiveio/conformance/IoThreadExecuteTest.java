package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.TestWorker;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.XnioIoThread;

/** {@code execute} from another thread runs the task soon, whatever the I/O thread was doing when it was queued. */
class IoThreadExecuteTest {
    /** Enough hand-offs that one lands in every part of the loop, including just before it goes to sleep. */
    private static final int HAND_OFFS = 20_000;

    @EachProvider
    void everyTaskQueuedFromAnotherThreadWakesTheIdleIoThread(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            XnioIoThread io = w.ioThread(0);
            Semaphore ran = new Semaphore(0);
            AtomicInteger onOtherThread = new AtomicInteger();
            for (int i = 0; i < HAND_OFFS; i++) {
                // The next task is queued the moment the previous one ran: the I/O thread is then
                // between its task pass and its next wait, where a lost wake-up would strand it.
                io.execute(() -> {
                    if (Thread.currentThread() != io) {
                        onOtherThread.incrementAndGet();
                    }
                    ran.release();
                });
                assertTrue(ran.tryAcquire(5, TimeUnit.SECONDS), "task " + i + " of " + HAND_OFFS
                        + " queued from another thread did not run within 5 s: the I/O thread slept through its wake-up");
            }
            assertEquals(0, onOtherThread.get(), "tasks that ran off the I/O thread");
        }
    }
}
