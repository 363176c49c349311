package dev.adaptiveio.adaptive.control;

import java.util.Locale;

/**
 * The two engines an adaptive listener can accept new connections on, named as their XNIO
 * providers are.
 */
public enum Engine {
    EPOLL("epoll"),
    IO_URING("io_uring");

    private final String providerName;

    Engine(String providerName) {
        this.providerName = providerName;
    }

    /** The name users see: the engine's XNIO provider name, {@code epoll} or {@code io_uring}. */
    public String providerName() {
        return providerName;
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
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (Engine engine : values()) {
                if (engine.providerName.equals(wanted)) {
                    return engine;
                }
            }
        }
        throw new IllegalArgumentException("Unknown engine '" + name + "': expected epoll or io_uring");
    }

    @Override
    public String toString() {
        return providerName;
    }
}
