package dev.adaptiveio.transplant;

import dev.adaptiveio.core.conn.DetachRefusal;

/**
 * Why a connection that was wanted on another engine did not move. The names are what metrics
 * and the MXBean report.
 */
public enum Refusal {
    /** An HTTP/2 stream (ALPN, h2c upgrade or prior knowledge): its connection state cannot travel. */
    HTTP2("http2"),
    /** A TLS connection: the SSLEngine state cannot travel. */
    TLS("tls"),
    /** Upgraded (WebSocket, h2c, CONNECT): the socket belongs to another protocol now. */
    UPGRADED("upgraded"),
    /** A request is being read or served; the connection is not between requests. */
    MID_REQUEST("mid-request"),
    /** Undertow holds bytes it read ahead that cannot be handed back at this point. */
    READ_AHEAD("read-ahead"),
    /** The connection is not served by one of our native engines (NIO, a wrapper). */
    NOT_NATIVE("not-native"),
    /** Closed, closing or half-closed. */
    CLOSED("closed"),
    /** Output the client was promised could not be sent before the move. */
    OUTPUT_PENDING("output-pending"),
    /** No I/O thread of the wanted engine can take the connection. */
    NO_TARGET("no-target"),
    /** The extension is off: explicit requests get this outcome (not counted). */
    DISABLED("disabled");

    private final String metricName;

    Refusal(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }

    /**
     * The counted reason for a refusal of the core's {@code detach}. No default branch: a reason
     * added to {@link DetachRefusal} must be given a place here before this compiles.
     */
    static Refusal of(DetachRefusal reason) {
        return switch (reason) {
            // A failed send means the connection is about to close: counted as closed, not retried.
            case ALREADY_DETACHED, CLOSED, OUTPUT_FAILED -> CLOSED;
            // Retried at the next boundary, once the output has left.
            case OUTPUT_PENDING -> OUTPUT_PENDING;
        };
    }
}
