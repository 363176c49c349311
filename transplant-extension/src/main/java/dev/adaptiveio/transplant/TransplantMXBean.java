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

    /** Removes every mark. */
    void clearMarks();

    /** Queues a sweep of idle connections now. */
    void sweep();
}
