package dev.adaptiveio.core.loop;

import java.util.TreeSet;

import org.xnio.XnioExecutor;

/**
 * The timers of one I/O thread. Only the owning thread touches the heap; other threads hand
 * their timers over through the thread's task queue.
 */
final class TimerQueue {

    // A sorted set, not a binary heap: Undertow cancels most of its timers, and removal must be cheap.
    private final TreeSet<Timer> heap = new TreeSet<>();
    private long sequence;

    Timer add(Timer timer) {
        timer.sequence = sequence++;
        heap.add(timer);
        return timer;
    }

    void remove(Timer timer) {
        heap.remove(timer);
    }

    /** @return the nanoTime of the earliest timer, or {@code -1} when there is none */
    long nextDeadline() {
        return heap.isEmpty() ? -1L : heap.first().deadline;
    }

    /** Runs every timer due at {@code now}. */
    void runDue(long now, NativeIoThread thread) {
        Timer t;
        while (!heap.isEmpty() && (t = heap.first()).deadline - now <= 0) {
            heap.pollFirst();
            if (t.cancelled) {
                continue;
            }
            if (t.period > 0) {
                t.deadline += t.period;
                add(t);
            } else {
                t.done = true;
            }
            thread.safeRun(t.command);
        }
    }

    int size() {
        return heap.size();
    }

    void clear() {
        heap.clear();
    }

    /** A one-shot or repeating timer; its {@link #remove()} works from any thread. */
    static final class Timer implements XnioExecutor.Key, Comparable<Timer> {
        final Runnable command;
        final long period;
        final NativeIoThread thread;
        long deadline;
        long sequence;
        volatile boolean cancelled;
        volatile boolean done;

        Timer(NativeIoThread thread, Runnable command, long deadline, long period) {
            this.thread = thread;
            this.command = command;
            this.deadline = deadline;
            this.period = period;
        }

        @Override
        public boolean remove() {
            if (cancelled || done) {
                return false;
            }
            cancelled = true;
            thread.timerCancelled(this);
            return true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0L);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }

        @Override
        public String toString() {
            return "timer " + command + (period > 0 ? " every " + period + "ns" : "");
        }
    }
}
