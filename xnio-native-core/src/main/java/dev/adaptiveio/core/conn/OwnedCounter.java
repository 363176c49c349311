package dev.adaptiveio.core.conn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count only one thread changes and any thread may read: the writer adds with an opaque store
 * (atomic for a long, no fence, no read-modify-write instruction), readers see a recent value.
 */
public final class OwnedCounter {

    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(OwnedCounter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long value;

    /** The owning thread only. */
    public void add(long delta) {
        VALUE.setOpaque(this, value + delta);
    }

    /** Any thread. */
    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
