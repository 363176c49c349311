package dev.adaptiveio.core.conn;

import java.util.concurrent.TimeUnit;

import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * A closed connection that still sends output it had accepted (Undertow was told it was
 * flushed), for at most {@code adaptiveio.linger.millis}: the one linger rule of both engines.
 * I/O thread only.
 */
public final class Linger {

    public static final long MILLIS = Long.getLong("adaptiveio.linger.millis", 30_000L);

    private boolean active;
    private XnioExecutor.Key timer;

    public boolean isActive() {
        return active;
    }

    /** Starts lingering, once; {@code expired} runs on the thread when the time is up. */
    public void start(XnioIoThread thread, Runnable expired) {
        if (!active) {
            active = true;
            timer = thread.executeAfter(expired, MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    public void end() {
        if (timer != null) {
            timer.remove();
            timer = null;
        }
        active = false;
    }
}
