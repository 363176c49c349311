package dev.adaptiveio.conformance.support;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Failures seen on I/O or task threads, where an assertion would be swallowed by the provider. */
public final class Problems {
    private final ConcurrentLinkedQueue<Throwable> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    public void add(Throwable t) {
        if (count.incrementAndGet() <= 20) {
            seen.add(t);
        }
    }

    public void add(String message) {
        add(new AssertionError(message));
    }

    public void assertNone() {
        Throwable first = seen.peek();
        if (first != null) {
            AssertionError e = new AssertionError(count.get() + " problem(s) on I/O or task threads; first: " + first, first);
            seen.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }
}
