package dev.adaptiveio.epoll;

import java.util.concurrent.TimeUnit;

import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * A closed connection that still sends output it had accepted (Undertow was told it was
 * flushed), for at most {@code adaptiveio.linger.millis}. I/O thread only.
 */
final class Linger {

    static final long MILLIS = Long.getLong("adaptiveio.linger.millis", 30_000L);

    private boolean active;
    private XnioExecutor.Key timer;

    boolean isActive() {
        return active;
    }

    /** Starts lingering, once; {@code expired} runs on the thread when the time is up. */
    void start(XnioIoThread thread, Runnable expired) {
        if (!active) {
            active = true;
            timer = thread.executeAfter(expired, MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    void end() {
        if (timer != null) {
            timer.remove();
            timer = null;
        }
        active = false;
    }
}
