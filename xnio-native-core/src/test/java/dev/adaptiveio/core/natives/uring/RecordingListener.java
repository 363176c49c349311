package dev.adaptiveio.core.natives.uring;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records completions and the release, for a test thread to wait on. */
final class RecordingListener implements CompletionListener {

    static final class Completion {
        final int kind;
        final int tag;
        final int result;
        final int flags;
        final Thread thread;

        Completion(int kind, int tag, int result, int flags) {
            this.kind = kind;
            this.tag = tag;
            this.result = result;
            this.flags = flags;
            this.thread = Thread.currentThread();
        }

        @Override
        public String toString() {
            return Op.name(kind) + "[" + tag + "] res=" + result + " flags=" + flags;
        }
    }

    final BlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    final CountDownLatch released = new CountDownLatch(1);
    volatile boolean releasedFdClosed;
    volatile int releasedCloseResult = Integer.MIN_VALUE;
    volatile int inflightAtRelease = -1;

    @Override
    public void onCompletion(RingHandle handle, int kind, int tag, int result, int flags) {
        completions.add(new Completion(kind, tag, result, flags));
    }

    @Override
    public void onReleased(RingHandle handle, boolean fdClosed, int closeResult) {
        releasedFdClosed = fdClosed;
        releasedCloseResult = closeResult;
        inflightAtRelease = handle.inflightCount();
        released.countDown();
    }

    Completion next() throws InterruptedException {
        Completion c = completions.poll(10, TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no completion within 10 s");
        }
        return c;
    }

    Completion nextOrNull(long millis) throws InterruptedException {
        return completions.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean awaitReleased() throws InterruptedException {
        return released.await(10, TimeUnit.SECONDS);
    }
}
