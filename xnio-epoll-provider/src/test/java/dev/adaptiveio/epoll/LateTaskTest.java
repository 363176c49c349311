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
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/**
 * Tasks that must not be lost (an fd's close) race the end of their I/O thread: each runs exactly
 * once, on the loop or without it, however the race falls; plain tasks are refused once it ended.
 */
class LateTaskTest {

    private static final int ROUNDS = 40;
    private static final int MAX_TASKS = 1 << 16;

    @Test
    void mustRunTasksQueuedAroundTheEndRunExactlyOnce() throws Exception {
        Xnio xnio = Xnio.getInstance("epoll", LateTaskTest.class.getClassLoader());
        assertEquals("epoll", xnio.getName());
        long onLoop = 0;
        long withoutLoop = 0;
        for (int round = 0; round < ROUNDS; round++) {
            NativeXnioWorker worker = (NativeXnioWorker) xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
            NativeIoThread thread = (NativeIoThread) worker.getIoThread();
            AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);
            AtomicInteger onLoopRuns = new AtomicInteger();
            AtomicInteger withoutLoopRuns = new AtomicInteger();
            AtomicInteger queued = new AtomicInteger();
            Thread racer = new Thread(() -> {
                int afterEnd = 0;
                // Keep queuing through the shutdown and a while after the thread has ended.
                while (afterEnd < 200 && queued.get() < MAX_TASKS) {
                    int id = queued.getAndIncrement();
                    thread.execute(new Counted(id, runs, thread, onLoopRuns, withoutLoopRuns));
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
                assertEquals(1, runs.get(id), "task " + id + " of " + n + " ran once (round " + round + ")");
            }
            assertEquals(n, onLoopRuns.get() + withoutLoopRuns.get());
            assertThrows(RejectedExecutionException.class, () -> thread.execute(() -> { }),
                    "a plain task is refused once the thread has ended");
            onLoop += onLoopRuns.get();
            withoutLoop += withoutLoopRuns.get();
        }
        assertTrue(onLoop > 0, "some tasks ran on the loop");
        assertTrue(withoutLoop >= 200L * ROUNDS, "tasks after the end ran without the loop: " + withoutLoop);
    }

    private static final class Counted implements MustRunTask {
        private final int id;
        private final AtomicIntegerArray runs;
        private final NativeIoThread thread;
        private final AtomicInteger onLoop;
        private final AtomicInteger withoutLoop;

        Counted(int id, AtomicIntegerArray runs, NativeIoThread thread, AtomicInteger onLoop, AtomicInteger withoutLoop) {
            this.id = id;
            this.runs = runs;
            this.thread = thread;
            this.onLoop = onLoop;
            this.withoutLoop = withoutLoop;
        }

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
    }
}
