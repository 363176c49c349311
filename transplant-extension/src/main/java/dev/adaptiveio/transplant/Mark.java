package dev.adaptiveio.transplant;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.adaptiveio.core.loop.NativeIoThread;

/** A standing wish: the connections of one listener (or of all) belong on a destination. */
public final class Mark {

    private final Object listener;
    private final Destination destination;
    private final Set<NativeIoThread> sources = ConcurrentHashMap.newKeySet();

    Mark(Object listener, Destination destination) {
        this.listener = listener;
        this.destination = destination;
    }

    /** The listener the mark applies to ({@link MarkRegistry#ALL} for every listener). */
    Object listener() {
        return listener;
    }

    public Destination destination() {
        return destination;
    }

    /** Notes that a connection was moved away from {@code thread} under this mark. */
    void movedFrom(NativeIoThread thread) {
        sources.add(thread);
    }

    /** The threads connections were moved away from under this mark. */
    public Set<NativeIoThread> sources() {
        return Set.copyOf(sources);
    }

    @Override
    public String toString() {
        return listener + " -> " + destination;
    }
}
