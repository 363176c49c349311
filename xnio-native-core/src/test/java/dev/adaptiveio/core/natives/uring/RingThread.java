package dev.adaptiveio.core.natives.uring;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * A plain thread driving a {@link Ring} the way an I/O thread does: tasks, then poll.
 */
final class RingThread implements AutoCloseable {

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CompletableFuture<Ring> started = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Ring ring;
    volatile long polls;

    RingThread(RingConfig config) throws Exception {
        thread = new Thread(() -> loop(config), "ring-test");
        thread.setDaemon(true);
        thread.start();
        ring = started.get(10, TimeUnit.SECONDS);
    }

    private void loop(RingConfig config) {
        Ring r;
        try {
            r = Ring.open(Thread.currentThread(), this::execute, config);
            r.initialize();
        } catch (Throwable t) {
            started.completeExceptionally(t);
            return;
        }
        ring = r;
        started.complete(r);
        try {
            while (running) {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                r.poll(() -> tasks.isEmpty() && running, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
                polls++;
            }
        } finally {
            r.close();
        }
    }

    Ring ring() {
        return ring;
    }

    Thread thread() {
        return thread;
    }

    void execute(Runnable task) {
        tasks.add(task);
        Ring r = ring;
        if (r != null && Thread.currentThread() != thread) {
            r.wakeup();
        }
    }

    <T> T call(Callable<T> callable) throws Exception {
        FutureTask<T> task = new FutureTask<>(callable);
        execute(task);
        return task.get(10, TimeUnit.SECONDS);
    }

    void run(ThrowingRunnable runnable) throws Exception {
        call(() -> {
            runnable.run();
            return null;
        });
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        Ring r = ring;
        if (r != null) {
            r.wakeup();
        }
        thread.join(10_000);
    }
}
