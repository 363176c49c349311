package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Wakes a {@link Ring}'s blocking wait at the loop's next timer deadline with TIMEOUT ops the
 * ring keeps armed, instead of the one Netty's handler adds to every blocking
 * {@code io_uring_enter} when it is given a deadline. That one costs a TIMEOUT submission and
 * completion per wait, and because it completes as task work once the wait ends, one more
 * {@code io_uring_enter} to collect it: 3 instead of 2 per request at one keep-alive connection.
 * <p>
 * A TIMEOUT armed here stays armed across waits until it fires. A deadline later than one armed
 * needs nothing (the earlier one fires, the loop finds no timer due and asks again); an earlier
 * one arms another, up to {@link #SLOTS} at once. When no slot is free, or the handle is gone
 * (the ring is closing), the caller hands the deadline to Netty as before. Closing the ring cancels what is
 * armed (as for every handle). Owner thread only.
 */
final class RingTimer implements CompletionListener {

    static final int SLOTS = 4;
    private static final long NONE = Long.MIN_VALUE;
    private static final int TIMESPEC = 16;

    private final RingHandle handle;
    /** One timespec per slot: ops armed in one iteration are submitted together. */
    private final ByteBuffer timespecs = ByteBuffer.allocateDirect(SLOTS * TIMESPEC).order(ByteOrder.nativeOrder());
    private final long timespecsAddress = UringMemory.address(timespecs);
    private final long[] deadlines = new long[SLOTS];
    private long armed;

    RingTimer(Ring ring) throws IOException {
        this.handle = ring.register(-1, this);
        Arrays.fill(deadlines, NONE);
    }

    /**
     * Makes sure the ring wakes by {@code deadlineNanos} ({@link System#nanoTime()} based).
     *
     * @return {@code true} if an armed TIMEOUT covers it; {@code false}: pass the deadline on
     */
    boolean cover(long deadlineNanos) {
        int free = -1;
        for (int i = 0; i < SLOTS; i++) {
            long armed = deadlines[i];
            if (armed == NONE) {
                free = i;
            } else if (armed - deadlineNanos <= 0) {
                return true;
            }
        }
        if (free < 0 || !handle.isActive()) {
            return false;
        }
        long delay = Math.max(0L, deadlineNanos - System.nanoTime());
        int at = free * TIMESPEC;
        timespecs.putLong(at, delay / 1_000_000_000L);
        timespecs.putLong(at + 8, delay % 1_000_000_000L);
        if (!handle.timeout(timespecsAddress + at, free)) {
            return false;
        }
        deadlines[free] = deadlineNanos;
        armed++;
        return true;
    }

    /** TIMEOUT ops armed so far. */
    long armedCount() {
        return armed;
    }

    boolean isRegistered() {
        return !handle.isReleased();
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        // Fired (-ETIME) or cancelled: either way the slot is free; the loop looks at its timers
        // after every wait, so waking is all this op had to do.
        deadlines[tag] = NONE;
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        // The ring is closing (it cancels armed TIMEOUTs then): nothing will be armed again.
        Arrays.fill(deadlines, NONE);
    }
}
