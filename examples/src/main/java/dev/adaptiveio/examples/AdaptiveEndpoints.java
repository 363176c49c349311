package dev.adaptiveio.examples;

import java.util.Deque;
import java.util.Map;

import dev.adaptiveio.adaptive.AdaptiveListener;
import dev.adaptiveio.adaptive.AdaptiveXnioWorker;
import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.adaptive.control.ListenerMetrics;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import org.xnio.XnioWorker;

/**
 * The demo's window on the adaptive provider: {@code GET /adaptive} shows the listener's
 * metrics as JSON, {@code POST /adaptive/switch?to=epoll|io_uring} forces a switch (a demo
 * convenience: the same operations are on the listener's MXBean in domain {@code dev.adaptiveio}).
 */
final class AdaptiveEndpoints {

    private final XnioWorker worker;

    AdaptiveEndpoints(XnioWorker worker) {
        this.worker = worker;
    }

    void metrics(HttpServerExchange exchange) {
        AdaptiveListener listener = listener(exchange);
        if (listener != null) {
            json(exchange, StatusCodes.OK, describe(listener));
        }
    }

    void forceSwitch(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            json(exchange, StatusCodes.METHOD_NOT_ALLOWED, "{\"error\":\"use POST\"}");
            return;
        }
        AdaptiveListener listener = listener(exchange);
        if (listener == null) {
            return;
        }
        Deque<String> to = exchange.getQueryParameters().get("to");
        Engine target;
        try {
            target = Engine.ofProviderName(to == null ? "" : to.getFirst());
        } catch (IllegalArgumentException e) {
            json(exchange, StatusCodes.BAD_REQUEST, "{\"error\":\"to must be epoll or io_uring\"}");
            return;
        }
        try {
            listener.control().forceSwitch(target);
        } catch (RuntimeException e) {
            json(exchange, StatusCodes.CONFLICT, "{\"error\":" + quote(String.valueOf(e.getMessage())) + "}");
            return;
        }
        json(exchange, StatusCodes.OK, describe(listener));
    }

    private AdaptiveListener listener(HttpServerExchange exchange) {
        if (!(worker instanceof AdaptiveXnioWorker)) {
            json(exchange, StatusCodes.NOT_FOUND,
                    "{\"error\":\"the demo runs on provider " + worker.getXnio().getName() + ", not adaptive\"}");
            return null;
        }
        var listeners = ((AdaptiveXnioWorker) worker).listeners();
        if (listeners.isEmpty()) {
            json(exchange, StatusCodes.SERVICE_UNAVAILABLE, "{\"error\":\"no listener\"}");
            return null;
        }
        return listeners.get(0);
    }

    private static String describe(AdaptiveListener listener) {
        ListenerMetrics m = listener.metrics();
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "listener", listener.name()).append(',');
        field(b, "activeEngine", String.valueOf(listener.activeEngine())).append(',');
        field(b, "startEngine", String.valueOf(listener.startDecision().engine())).append(',');
        field(b, "startReason", listener.startDecision().reason()).append(',');
        field(b, "ioUringTier", m.ioUringTier()).append(',');
        b.append("\"accepts\":{\"epoll\":").append(m.accepts(Engine.EPOLL))
                .append(",\"io_uring\":").append(m.accepts(Engine.IO_URING)).append("},");
        b.append("\"connections\":{\"epoll\":").append(m.connections(Engine.EPOLL))
                .append(",\"io_uring\":").append(m.connections(Engine.IO_URING)).append("},");
        b.append("\"switches\":").append(counts(m.switchesByReason())).append(',');
        b.append("\"rejectedSwitches\":").append(counts(m.rejectionsByReason())).append(',');
        b.append("\"freezeCount\":").append(listener.control().freezeCount());
        return b.append('}').toString();
    }

    private static String counts(Map<?, Long> byReason) {
        StringBuilder b = new StringBuilder().append('{');
        byReason.forEach((reason, n) -> {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(String.valueOf(reason))).append(':').append(n);
        });
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return b.append(quote(name)).append(':').append(quote(value));
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static void json(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json")
                .put(DemoServer.X_IO_ENGINE, DemoServer.engineOf(exchange.getIoThread()));
        exchange.getResponseSender().send(body);
    }
}
