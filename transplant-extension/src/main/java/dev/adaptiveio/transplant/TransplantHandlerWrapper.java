package dev.adaptiveio.transplant;

import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;

/** {@link TransplantHandler} as a {@link HandlerWrapper} (no-argument constructor, global manager). */
public final class TransplantHandlerWrapper implements HandlerWrapper {

    @Override
    public HttpHandler wrap(HttpHandler handler) {
        return new TransplantHandler(handler);
    }
}
