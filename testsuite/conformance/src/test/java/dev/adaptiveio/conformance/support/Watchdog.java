package dev.adaptiveio.conformance.support;

import java.io.Closeable;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.IoUtils;

/**
 * Closes a resource if a test is still using it after a deadline. A blocking java.net.Socket write
 * ignores thread interruption (so JUnit's timeout cannot end it): when a provider stops reading,
 * closing the socket is what makes the write fail and the test report it.
 */
public final class Watchdog implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "conformance-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> task;
    private final AtomicBoolean fired;

    private Watchdog(ScheduledFuture<?> task, AtomicBoolean fired) {
        this.task = task;
        this.fired = fired;
    }

    public static Watchdog closeAfter(Closeable resource, Duration limit) {
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> task = TIMER.schedule(() -> {
            fired.set(true);
            IoUtils.safeClose(resource);
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        return new Watchdog(task, fired);
    }

    /** True if the deadline passed and the resource was closed. */
    public boolean fired() {
        return fired.get();
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
