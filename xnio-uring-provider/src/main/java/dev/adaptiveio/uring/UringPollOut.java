package dev.adaptiveio.uring;

import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;

/**
 * Hearing when a socket drains after a sendfile left it full. Unlike a queued SEND (which the
 * kernel finishes on its own and reports with a completion) nothing is in flight that would say
 * so, so one one-shot POLL_ADD(POLLOUT) is armed: the kernel checks the socket when it takes the
 * poll, so a drain that happens before it is armed completes it at once and is not lost; its
 * completion makes the connection write-ready. One poll per short send, never a loop of retries.
 * State is the I/O thread's.
 */
final class UringPollOut {

    private static final int TAG = 0;

    private final UringStreamConnection connection;
    private final UringIoThread thread;
    private final Runnable armTask = this::arm;
    private boolean armed;

    UringPollOut(UringStreamConnection connection, UringIoThread thread) {
        this.connection = connection;
        this.thread = thread;
    }

    /** A sendfile left the socket full (writeReady is clear); any thread. */
    void fellShort() {
        if (thread.inThisThread()) {
            arm();
        } else {
            try {
                thread.execute(armTask);
            } catch (RuntimeException closing) {
                // The thread is shutting down: it closes this connection, which wakes the writer.
            }
        }
    }

    private void arm() {
        RingHandle handle = connection.activeHandle();
        if (armed || handle == null) {
            return;
        }
        armed = handle.pollAdd(UringConstants.POLLOUT, false, TAG);
        if (!armed) {
            // No room in the ring for the poll: let the writer try again rather than wait for ever.
            connection.writeReadyAgain();
        }
    }

    void completed(int result) {
        armed = false;
        if (result == -UringConstants.ECANCELED) {
            return;
        }
        // Ready, or an error (POLLERR/POLLHUP or a failed poll) the next write will meet.
        connection.writeReadyAgain();
    }
}
