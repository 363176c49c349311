package dev.adaptiveio.transplant;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.adaptiveio.core.loop.NativeIoThread;

/**
 * The marks (where each listener's connections are wanted) and the connections the extension
 * tracks, indexed by the I/O thread that serves them, so a sweep of one thread visits only that
 * thread's connections. A connection never changes thread: a move adopts it as a new connection
 * on the target thread, tracked anew.
 *
 * @param <C> what is tracked per connection
 */
final class MarkRegistry<C> {

    /** The key of a mark that applies to every listener. */
    static final Object ALL = new Object() {
        @Override
        public String toString() {
            return "all listeners";
        }
    };

    private final ConcurrentHashMap<Object, Mark> marks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Object, C> tracked = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Thread, Set<C>> byThread = new ConcurrentHashMap<>();

    // ---- marks

    /** Sets the mark of {@code listener} ({@code null}: every listener), replacing an earlier one. */
    Mark mark(Object listener, Destination destination) {
        Mark mark = new Mark(listener == null ? ALL : listener, destination);
        marks.put(mark.listener(), mark);
        return mark;
    }

    /** Removes the mark of {@code listener} ({@code null}: the mark for every listener); returns it. */
    Mark unmark(Object listener) {
        return marks.remove(listener == null ? ALL : listener);
    }

    void clearMarks() {
        marks.clear();
    }

    boolean hasMarks() {
        return !marks.isEmpty();
    }

    /** The mark that applies to {@code listener}'s connections: its own, else the one for every listener. */
    Mark markFor(Object listener) {
        if (marks.isEmpty()) {
            return null;
        }
        Mark m = listener == null ? null : marks.get(listener);
        return m != null ? m : marks.get(ALL);
    }

    /** Where a connection of {@code listener} served by {@code here} is wanted, or {@code null} if it belongs there. */
    Destination wanted(Object listener, NativeIoThread here) {
        Mark m = markFor(listener);
        return m == null || m.destination().accepts(here) ? null : m.destination();
    }

    /**
     * Whether some mark wants connections served by {@code thread} elsewhere ({@code listener}
     * {@code null}: any listener's). A thread of no native engine is never where a mark wants it.
     */
    boolean wantedElsewhere(Thread thread, Object listener) {
        if (marks.isEmpty()) {
            return false;
        }
        for (Mark m : marks.values()) {
            if (m.listener() == ALL || listener == null || m.listener() == listener) {
                if (!(thread instanceof NativeIoThread) || !m.destination().accepts((NativeIoThread) thread)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Active marks, as {@code listener -> destination}. */
    Map<String, String> describeMarks() {
        Map<String, String> m = new TreeMap<>();
        marks.forEach((k, v) -> m.put(String.valueOf(k), v.destination().toString()));
        return m;
    }

    // ---- tracked connections

    /**
     * Tracks {@code entry} for {@code connection}, served by {@code thread}.
     *
     * @return the entry now tracked for the connection: {@code entry}, or the one tracked before
     */
    C track(Object connection, Thread thread, C entry) {
        C before = tracked.putIfAbsent(connection, entry);
        if (before != null) {
            return before;
        }
        // compute() runs atomically per thread key, so an add cannot race a removal of the thread's empty set.
        byThread.compute(thread, (t, set) -> {
            Set<C> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(entry);
            return s;
        });
        return entry;
    }

    C tracked(Object connection) {
        return tracked.get(connection);
    }

    /** Stops tracking {@code entry} if it is what is tracked for {@code connection}. */
    boolean forget(Object connection, Thread thread, C entry) {
        if (!tracked.remove(connection, entry)) {
            return false;
        }
        byThread.computeIfPresent(thread, (t, set) -> {
            set.remove(entry);
            return set.isEmpty() ? null : set;
        });
        return true;
    }

    /** The connections served by {@code thread} (a snapshot). */
    List<C> on(Thread thread) {
        Set<C> s = byThread.get(thread);
        return s == null ? List.of() : List.copyOf(s);
    }

    /** The threads serving tracked connections. */
    Set<Thread> threads() {
        return Set.copyOf(byThread.keySet());
    }

    int size() {
        return tracked.size();
    }

    Collection<C> all() {
        return List.copyOf(tracked.values());
    }
}
