package dev.adaptiveio.adaptive.control;

import java.util.Locale;

/** The value of the start override ({@link AdaptiveOptions#START}): an engine, or {@code auto} to let the gates decide. */
public enum StartMode {
    EPOLL(Engine.EPOLL),
    IO_URING(Engine.IO_URING),
    AUTO(null);

    static final String ALLOWED = "epoll, io_uring or auto";

    private final Engine engine;

    StartMode(Engine engine) {
        this.engine = engine;
    }

    /** The engine this mode forces, or {@code null} for {@link #AUTO}. */
    public Engine engine() {
        return engine;
    }

    /** {@code epoll}, {@code io_uring} or {@code auto}: the spelling users write. */
    public String userName() {
        return engine == null ? "auto" : engine.providerName();
    }

    /**
     * Parses {@code epoll|io_uring|auto}, case-insensitive.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static StartMode parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        for (StartMode mode : values()) {
            if (mode.userName().equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("expected " + ALLOWED);
    }

    @Override
    public String toString() {
        return userName();
    }
}
