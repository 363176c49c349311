package dev.adaptiveio.transplant;

import java.util.Map;

/**
 * The transplant extension's management view, registered as
 * {@code dev.adaptiveio:type=Transplant,name=<name>} ({@code name=default} for
 * {@link Transplant#global()}).
 */
public interface TransplantMXBean {

    boolean isEnabled();

    void setEnabled(boolean enabled);

    /** HTTP/1 connections the extension currently knows (seen between requests). */
    int getTrackedConnections();

    long getMovedCount();

    /** Moves by direction, e.g. {@code epoll->io_uring}. */
    Map<String, Long> getMovedByDirection();

    long getRefusedCount();

    Map<String, Long> getRefusedByReason();

    long getLostCount();

    Map<String, Long> getLostByCause();

    long getMoveLatencyMinMicros();

    long getMoveLatencyAvgMicros();

    long getMoveLatencyMaxMicros();

    Map<String, Long> getMoveLatencyHistogram();

    /** Active migration marks, as {@code listener -> engine}. */
    Map<String, String> getMarks();

    /** Marks every listener's connections for migration to {@code engine}. */
    void markAllForMigration(String engine);

    /**
     * Marks every listener's connections for migration to the I/O threads named (comma
     * separated, e.g. {@code "default I/O-2"} as thread names end): moves between threads of one
     * engine, e.g. to drain a thread. Looks among the threads of the workers serving this
     * manager's connections and of its target workers. Returns the threads found.
     */
    String markAllForThreads(String threadNames);

    /** Removes every mark. */
    void clearMarks();

    /** Queues a sweep of idle connections now. */
    void sweep();
}
