package dev.adaptiveio.transplant;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpOpenListener;

/**
 * The transplant extension's request hook: notes each HTTP/1 exchange on a native connection
 * so the connection can move at its request boundary, then calls the next handler. With the
 * extension off it only checks the flag.
 * <p>
 * In WildFly, install it as a {@code custom-filter} on the host (module with this jar, depending
 * on {@code io.undertow.core}, {@code org.jboss.xnio}, {@code org.jboss.logging} and the
 * adaptive-io core module):
 * <pre>
 * /subsystem=undertow/configuration=filter/custom-filter=transplant:add(class-name=dev.adaptiveio.transplant.TransplantHandler, module=dev.adaptiveio.transplant, parameters={enabled=true})
 * /subsystem=undertow/server=default-server/host=default-host/filter-ref=transplant:add
 * </pre>
 * It then uses {@link Transplant#global()}. WildFly sets {@code parameters} through JavaBean
 * setters ({@code enabled}, {@code sweepMillis}).
 */
public final class TransplantHandler implements HttpHandler {

    private final HttpHandler next;
    private final Transplant transplant;
    private final HttpOpenListener openListener;

    /** For WildFly's {@code custom-filter}: hooks into {@link Transplant#global()}. */
    public TransplantHandler(HttpHandler next) {
        this(next, Transplant.global(), null);
    }

    TransplantHandler(HttpHandler next, Transplant transplant, HttpOpenListener openListener) {
        this.next = next;
        this.transplant = transplant;
        this.openListener = openListener;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (transplant.isEnabled()) {
            transplant.exchangeStarted(exchange, openListener);
        }
        next.handleRequest(exchange);
    }

    public HttpHandler getNext() {
        return next;
    }

    /** {@code custom-filter} parameter {@code enabled}: switches the global manager on or off. */
    public void setEnabled(String enabled) {
        transplant.setEnabled(Boolean.parseBoolean(enabled.trim()));
    }

    /** {@code custom-filter} parameter {@code sweepMillis}: the sweep interval in milliseconds. */
    public void setSweepMillis(String millis) {
        transplant.setSweepInterval(Integer.parseInt(millis.trim()));
    }

    @Override
    public String toString() {
        return "transplant(" + transplant.name() + ") -> " + next;
    }
}
