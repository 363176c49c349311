package dev.adaptiveio.adaptive.control;

import dev.adaptiveio.core.EngineId;

/**
 * The two engines an adaptive listener can accept new connections on: the controller's view of
 * the core's {@link EngineId} (one constant each, so adding an engine there breaks {@link #of}).
 */
public enum Engine {
    EPOLL(EngineId.EPOLL),
    IO_URING(EngineId.IO_URING);

    private final EngineId id;

    Engine(EngineId id) {
        this.id = id;
    }

    /** The core's identity of this engine. */
    public EngineId id() {
        return id;
    }

    /** The controller's engine for the core's {@code id}. */
    public static Engine of(EngineId id) {
        return switch (id) {
            case EPOLL -> EPOLL;
            case IO_URING -> IO_URING;
        };
    }

    /** The name users see: the engine's XNIO provider name, {@code epoll} or {@code io_uring}. */
    public String providerName() {
        return id.providerName();
    }

    /** The other engine. */
    public Engine other() {
        return this == EPOLL ? IO_URING : EPOLL;
    }

    /**
     * The engine with the given provider name (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and the allowed names when it names no engine
     */
    public static Engine ofProviderName(String name) {
        return of(EngineId.ofProviderName(name));
    }

    @Override
    public String toString() {
        return id.providerName();
    }
}
