package dev.adaptiveio.wildfly;

import java.util.Arrays;
import java.util.List;

/**
 * The I/O engines a worker can run on. The XML/CLI value is the XNIO provider name, so the model, the
 * provider lookup and the {@code engine} metric all speak the same word.
 */
public enum Engine {
    EPOLL("epoll"),
    IO_URING("io_uring"),
    ADAPTIVE("adaptive"),
    ;

    private final String providerName;

    Engine(String providerName) {
        this.providerName = providerName;
    }

    /** The XNIO provider name, as returned by {@code Xnio.getName()}. */
    public String providerName() {
        return this.providerName;
    }

    static String[] providerNames() {
        return Arrays.stream(values()).map(Engine::providerName).toArray(String[]::new);
    }

    static Engine forProviderName(String name) {
        for (Engine engine : values()) {
            if (engine.providerName.equals(name)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("Unknown engine '" + name + "', expected one of " + List.of(providerNames()));
    }

    @Override
    public String toString() {
        return this.providerName;
    }
}
