package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import dev.adaptiveio.core.loop.MustRunTask;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.Test;

/**
 * Tasks that must not be lost (an fd's close) race the end of their I/O thread: each runs exactly
 * once, on the loop or without it, however the race falls; plain tasks are refused once it ended.
 */
class LateTaskTest {

    private static final int ROUNDS = 40;
    private static final int MAX_TASKS = 1 << 16;

    @Test
    void mustRunTasksQueuedAroundTheEndRunExactlyOnce() throws Exception {
        long onLoop = 0;
        long withoutLoop = 0;
        for (int round = 0; round < ROUNDS; round++) {
            NativeXnioWorker worker = EpollWorkers.create(1);
            NativeIoThread thread = (NativeIoThread) worker.getIoThread();
            Round r = new Round(thread);
            AtomicInteger queued = new AtomicInteger();
            Thread racer = new Thread(() -> {
                int afterEnd = 0;
                // Keep queuing through the shutdown and a while after the thread has ended.
                while (afterEnd < 200 && queued.get() < MAX_TASKS) {
                    int id = queued.getAndIncrement();
                    thread.execute(r.task(id));
                    if (thread.getState() == Thread.State.TERMINATED) {
                        afterEnd++;
                    }
                }
            });
            racer.start();
            Thread.sleep(round % 4);
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminated");
            racer.join(10_000);
            assertEquals(Thread.State.TERMINATED, racer.getState(), "the racer finished");
            int n = queued.get();
            for (int id = 0; id < n; id++) {
                assertEquals(1, r.runs.get(id), "task " + id + " of " + n + " ran once (round " + round + ")");
            }
            assertEquals(n, r.onLoop.get() + r.withoutLoop.get());
            assertThrows(RejectedExecutionException.class, () -> thread.execute(() -> { }),
                    "a plain task is refused once the thread has ended");
            onLoop += r.onLoop.get();
            withoutLoop += r.withoutLoop.get();
        }
        assertTrue(onLoop > 0, "some tasks ran on the loop");
        assertTrue(withoutLoop >= 200L * ROUNDS, "tasks after the end ran without the loop: " + withoutLoop);
    }

    /** One round's tasks and what they counted. */
    private static final class Round {
        final NativeIoThread thread;
        final AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);
        final AtomicInteger onLoop = new AtomicInteger();
        final AtomicInteger withoutLoop = new AtomicInteger();

        Round(NativeIoThread thread) {
            this.thread = thread;
        }

        MustRunTask task(int id) {
            return new MustRunTask() {
                @Override
                public void run() {
                    assertTrue(thread.inThisThread());
                    runs.incrementAndGet(id);
                    onLoop.incrementAndGet();
                }

                @Override
                public void runWithoutLoop() {
                    runs.incrementAndGet(id);
                    withoutLoop.incrementAndGet();
                }
            };
        }
    }
}
