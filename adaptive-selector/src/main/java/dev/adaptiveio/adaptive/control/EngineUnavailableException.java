package dev.adaptiveio.adaptive.control;

import java.io.IOException;

/**
 * The user asked for an engine explicitly and it cannot run here. An {@link IOException} so that it
 * passes straight out of {@code createStreamConnectionServer}.
 */
public class EngineUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    private final Engine engine;

    public EngineUnavailableException(Engine engine, String message) {
        super(message);
        this.engine = engine;
    }

    /** The engine that was asked for. */
    public Engine engine() {
        return engine;
    }
}
