package dev.adaptiveio.transplant;

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
    /** The engine refused to let the fd go (for example an io_uring fixed file). */
    NOT_MOVABLE("not-movable"),
    /** The extension is off: explicit requests get this outcome (not counted). */
    DISABLED("disabled");

    private final String metricName;

    Refusal(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }

    /** Maps a refusal reason of the core's {@code detach} to a counted reason. */
    static Refusal ofDetachReason(String reason) {
        if (reason == null) {
            return NOT_MOVABLE;
        }
        if (reason.startsWith("closed") || reason.startsWith("already detached")) {
            return CLOSED;
        }
        if (reason.startsWith("output")) {
            return OUTPUT_PENDING;
        }
        return NOT_MOVABLE;
    }
}
