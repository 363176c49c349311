package dev.adaptiveio.core;

import java.util.Locale;

/**
 * Which engine serves a connection, and what other modules may rely on about it. The provider
 * name is what users see (XNIO provider, metrics, logs, the demo's {@code X-IO-Engine} header);
 * code that needs to know what an engine can do asks the capability here, never the name.
 */
public enum EngineId {

    /** Readiness-based: an fd leaves the engine within {@code detach}, nothing in flight. */
    EPOLL("epoll", true),
    /**
     * Completion-based: an fd is free only once the kernel has completed what was submitted for it,
     * so {@code detach} reports it later from the ring's completions.
     */
    IO_URING("io_uring", false);

    private final String providerName;
    private final boolean releasesFdSynchronously;

    EngineId(String providerName, boolean releasesFdSynchronously) {
        this.providerName = providerName;
        this.releasesFdSynchronously = releasesFdSynchronously;
    }

    /** The XNIO provider name: {@code epoll} or {@code io_uring}. */
    public String providerName() {
        return providerName;
    }

    /**
     * Whether a detach of one of this engine's connections completes before {@code detach} returns
     * (so a caller on the I/O thread can rely on the fd being free right after it).
     */
    public boolean releasesFdSynchronously() {
        return releasesFdSynchronously;
    }

    /**
     * The engine with the given provider name (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and the known names when it names no engine
     */
    public static EngineId ofProviderName(String name) {
        if (name != null) {
            String wanted = name.trim().toLowerCase(Locale.ROOT);
            for (EngineId id : values()) {
                if (id.providerName.equals(wanted)) {
                    return id;
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
