package dev.adaptiveio.adaptive.control;

import java.util.Map;

/**
 * One adaptive listener in JMX, registered as
 * {@code dev.adaptiveio:type=Listener,worker=<worker>,listener=<host:port>} (values quoted where JMX needs it,
 * see {@link ListenerMBeanRegistration#objectName}). Engines are named {@code epoll} and {@code io_uring};
 * reason maps list every reason, zeros included.
 */
public interface AdaptiveListenerMXBean {

    String DOMAIN = "dev.adaptiveio";
    String TYPE = "Listener";

    String getWorker();

    /** {@code host:port} the listener is bound to. */
    String getListener();

    /** The engine accepting new connections. */
    String getActiveEngine();

    /** The engine the listener started on. */
    String getStartEngine();

    /** Why it started there, e.g. {@code workload hint HIGH_CONCURRENCY}. */
    String getStartReason();

    /** The io_uring tier, {@code UNAVAILABLE} when io_uring cannot be used. */
    String getIoUringTier();

    long getEpollAccepts();

    long getIoUringAccepts();

    /** Open connections served by epoll. */
    long getEpollConnections();

    /** Open connections served by io_uring. */
    long getIoUringConnections();

    long getSwitches();

    Map<String, Long> getSwitchesByReason();

    long getRejectedSwitches();

    Map<String, Long> getRejectedSwitchesByReason();

    boolean isFrozen();

    int getFreezeCount();

    /**
     * Moves new connections to {@code engine} ({@code epoll} or {@code io_uring}) now.
     *
     * @throws IllegalArgumentException for another name
     * @throws IllegalStateException    when the engine cannot take over
     */
    void forceSwitch(String engine);

    /** Stops automatic switching until a matching {@link #unfreeze()}; nests. */
    void freeze();

    /** @throws IllegalStateException when not frozen */
    void unfreeze();
}
