package dev.adaptiveio.adaptive;

import java.util.Map;

/**
 * One adaptive worker, summed over its listeners; registered as
 * {@code dev.adaptiveio:type=AdaptiveWorker,name=<worker>}. The WildFly subsystem publishes it
 * as the worker's runtime metrics and operations.
 */
public interface AdaptiveWorkerMXBean {

    /** The engine accepting new connections on the worker's listeners ({@code mixed} if they differ). */
    String getActiveEngine();

    long getEpollConnections();

    long getIoUringConnections();

    long getSwitches();

    Map<String, Long> getSwitchesByReason();

    /** Established connections moved between engines (the transplant extension, when installed). */
    long getTransplants();

    /** Moves by direction ({@code moved epoll->io_uring}) and refusals by reason ({@code refused TLS}). */
    Map<String, Long> getTransplantsByReason();

    String getIoUringTier();

    /** Whether any listener's automatic switching is frozen. */
    boolean isFrozen();

    /** Forces every listener of the worker to accept on {@code engine} ({@code epoll} or {@code io_uring}). */
    void forceSwitch(String engine);

    void freeze();

    void unfreeze();
}
