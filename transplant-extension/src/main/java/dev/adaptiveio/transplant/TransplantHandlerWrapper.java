package dev.adaptiveio.transplant;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;

/** {@link TransplantHandler} as a {@link HandlerWrapper} (no-argument constructor, global manager). */
public final class TransplantHandlerWrapper implements HandlerWrapper {

    @Override
    public HttpHandler wrap(HttpHandler handler) {
        return new TransplantHandler(handler);
    }

    /** Filter parameter {@code enabled}: switches the global manager on or off. */
    public void setEnabled(String enabled) {
        Transplant.global().setEnabled(Boolean.parseBoolean(enabled.trim()));
    }

    /** Filter parameter {@code sweepMillis}: the sweep interval in milliseconds. */
    public void setSweepMillis(String millis) {
        Transplant.global().setSweepInterval(Integer.parseInt(millis.trim()));
    }
}
