package dev.adaptiveio.core.conn;

import java.io.IOException;

import dev.adaptiveio.core.natives.NativeSocket;
import org.xnio.Option;
import org.xnio.Options;

/**
 * The XNIO options of a connection, as NIO's socket conduit supports them, read from and written
 * to its socket and {@link ConnectionCore}, the system calls guarded against a concurrent close.
 */
final class ConnectionOptions {

    private static final Option<?>[] SUPPORTED = {
        Options.CLOSE_ABORT, Options.IP_TRAFFIC_CLASS, Options.KEEP_ALIVE, Options.READ_TIMEOUT,
        Options.RECEIVE_BUFFER, Options.SEND_BUFFER, Options.TCP_NODELAY, Options.WRITE_TIMEOUT, Options.CORK,
    };

    private ConnectionOptions() {
    }

    /** {@code getOption}: the value, read under the connection's close guard. */
    static <T> T get(NativeStreamConnection c, Option<T> option) throws IOException {
        return c.guarded(() -> read(c.core, option));
    }

    /** {@code setOption}: the old value, and the new one written, under the close guard. */
    static <T> T set(NativeStreamConnection c, Option<T> option, T newValue) throws IOException {
        return c.guarded(() -> {
            T old = read(c.core, option);
            write(c.core, option, newValue);
            return old;
        });
    }

    static boolean supports(Option<?> option) {
        for (Option<?> o : SUPPORTED) {
            if (o == option) {
                return true;
            }
        }
        return false;
    }

    /** The option's value, or {@code null} for an option a connection does not have. */
    static <T> T read(ConnectionCore core, Option<T> option) throws IOException {
        NativeSocket s = core.socket();
        Object v;
        if (option == Options.CLOSE_ABORT) {
            v = s.isAbortOnClose();
        } else if (option == Options.IP_TRAFFIC_CLASS) {
            v = s.getTrafficClass();
        } else if (option == Options.KEEP_ALIVE) {
            v = s.isKeepAlive();
        } else if (option == Options.READ_TIMEOUT) {
            v = core.readTimeoutMillis();
        } else if (option == Options.RECEIVE_BUFFER) {
            v = s.getReceiveBufferSize();
        } else if (option == Options.SEND_BUFFER) {
            v = s.getSendBufferSize();
        } else if (option == Options.TCP_NODELAY) {
            v = s.isTcpNoDelay();
        } else if (option == Options.WRITE_TIMEOUT) {
            v = core.writeTimeoutMillis();
        } else if (option == Options.CORK) {
            v = s.isCork();
        } else {
            return null;
        }
        return option.cast(v);
    }

    /** Sets the option; an option a connection does not have is ignored, as NIO does. */
    static <T> void write(ConnectionCore core, Option<T> option, T value) throws IOException {
        NativeSocket s = core.socket();
        if (option == Options.CLOSE_ABORT) {
            s.setAbortOnClose(Options.CLOSE_ABORT.cast(value, Boolean.FALSE));
        } else if (option == Options.IP_TRAFFIC_CLASS) {
            s.setTrafficClass(Options.IP_TRAFFIC_CLASS.cast(value));
        } else if (option == Options.KEEP_ALIVE) {
            s.setKeepAlive(Options.KEEP_ALIVE.cast(value, Boolean.FALSE));
        } else if (option == Options.READ_TIMEOUT) {
            core.readTimeoutMillis(value == null ? 0 : Options.READ_TIMEOUT.cast(value));
        } else if (option == Options.RECEIVE_BUFFER) {
            s.setReceiveBufferSize(Options.RECEIVE_BUFFER.cast(value));
        } else if (option == Options.SEND_BUFFER) {
            s.setSendBufferSize(Options.SEND_BUFFER.cast(value));
        } else if (option == Options.TCP_NODELAY) {
            s.setTcpNoDelay(Options.TCP_NODELAY.cast(value, Boolean.FALSE));
        } else if (option == Options.WRITE_TIMEOUT) {
            core.writeTimeoutMillis(value == null ? 0 : Options.WRITE_TIMEOUT.cast(value));
        } else if (option == Options.CORK) {
            s.setCork(Options.CORK.cast(value, Boolean.FALSE));
        }
    }
}
