package dev.adaptiveio.core.server;

import java.io.IOException;

import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.natives.NativeSocket;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * A TCP server's options other than its connection limits, as NIO's server has them: validated
 * before any socket exists, set on the listening socket (accepted sockets inherit them on Linux)
 * or kept for the connections it accepts, and read back as set.
 */
final class ServerOptions {

    private static final Option<?>[] SUPPORTED = {
        Options.REUSE_ADDRESSES, Options.RECEIVE_BUFFER, Options.SEND_BUFFER, Options.KEEP_ALIVE,
        Options.TCP_OOB_INLINE, Options.TCP_NODELAY, Options.READ_TIMEOUT, Options.WRITE_TIMEOUT,
        Options.CONNECTION_HIGH_WATER, Options.CONNECTION_LOW_WATER, Options.BACKLOG,
    };
    /** What NIO assumes when RECEIVE_BUFFER or SEND_BUFFER is set to {@code null}. */
    private static final int DEFAULT_BUFFER_SIZE = 0x10000;
    private static final int DEFAULT_BACKLOG = 128;

    private final NativeSocket socket;
    /** The backlog last given to listen(): BACKLOG is supported, so it reads back what applies. */
    private volatile int backlog;
    private volatile int readTimeout;
    private volatile int writeTimeout;
    /** SEND_BUFFER as set ({@code -1}: never set), reported as set like NIO (the kernel doubles it). */
    private volatile int sendBuffer;
    private volatile boolean oobInline;

    /** Takes the options' values and, for TCP, applies them to the not yet bound {@code socket}. */
    ServerOptions(NativeSocket socket, OptionMap options, boolean tcp) throws IOException {
        this.socket = socket;
        this.readTimeout = options.get(Options.READ_TIMEOUT, 0);
        this.writeTimeout = options.get(Options.WRITE_TIMEOUT, 0);
        this.sendBuffer = options.get(Options.SEND_BUFFER, -1);
        this.oobInline = options.get(Options.TCP_OOB_INLINE, false);
        this.backlog = options.get(Options.BACKLOG, DEFAULT_BACKLOG);
        if (tcp) {
            configureTcp(options);
        }
    }

    /** Refuses what NIO's server refuses, before any socket exists. */
    static void check(OptionMap options) {
        if (options.contains(Options.SEND_BUFFER) && options.get(Options.SEND_BUFFER, 0) < 1) {
            throw CoreLogger.LOG.optionOutOfRange(Options.SEND_BUFFER.getName());
        }
        if (options.contains(Options.RECEIVE_BUFFER) && options.get(Options.RECEIVE_BUFFER, 0) < 1) {
            throw CoreLogger.LOG.optionOutOfRange(Options.RECEIVE_BUFFER.getName());
        }
        if (options.contains(Options.CONNECTION_HIGH_WATER) || options.contains(Options.CONNECTION_LOW_WATER)) {
            int high = options.get(Options.CONNECTION_HIGH_WATER, Integer.MAX_VALUE);
            int low = options.get(Options.CONNECTION_LOW_WATER, high);
            if (high <= 0) {
                throw CoreLogger.LOG.optionOutOfRange(Options.CONNECTION_HIGH_WATER.getName());
            }
            if (low <= 0 || low > high) {
                throw CoreLogger.LOG.optionOutOfRange(Options.CONNECTION_LOW_WATER.getName());
            }
        }
    }

    static boolean supports(Option<?> option) {
        for (Option<?> o : SUPPORTED) {
            if (o == option) {
                return true;
            }
        }
        return false;
    }

    // Accepted sockets inherit these from the listening socket on Linux: set once here rather than
    // once per connection.
    private void configureTcp(OptionMap options) throws IOException {
        socket.setReuseAddress(options.get(Options.REUSE_ADDRESSES, true));
        if (options.contains(Options.RECEIVE_BUFFER)) {
            socket.setReceiveBufferSize(options.get(Options.RECEIVE_BUFFER, 0));
        }
        if (options.contains(Options.SEND_BUFFER)) {
            socket.setSendBufferSize(options.get(Options.SEND_BUFFER, 0));
        }
        if (options.contains(Options.KEEP_ALIVE)) {
            socket.setKeepAlive(options.get(Options.KEEP_ALIVE, false));
        }
        if (options.contains(Options.TCP_NODELAY)) {
            socket.setTcpNoDelay(options.get(Options.TCP_NODELAY, false));
        }
        if (options.contains(Options.TCP_OOB_INLINE)) {
            socket.setOobInline(options.get(Options.TCP_OOB_INLINE, false));
        }
    }

    int backlog() {
        return backlog;
    }

    int readTimeout() {
        return readTimeout;
    }

    int writeTimeout() {
        return writeTimeout;
    }

    /** The value of an option this class keeps; {@code null} for the others (limits included). */
    Object get(Option<?> option) throws IOException {
        if (option == Options.REUSE_ADDRESSES) {
            return socket.isReuseAddress();
        } else if (option == Options.RECEIVE_BUFFER) {
            return socket.getReceiveBufferSize();
        } else if (option == Options.SEND_BUFFER) {
            int set = sendBuffer;
            return set == -1 ? null : set;
        } else if (option == Options.TCP_OOB_INLINE) {
            return oobInline;
        } else if (option == Options.BACKLOG) {
            return backlog;
        } else if (option == Options.KEEP_ALIVE) {
            return socket.isKeepAlive();
        } else if (option == Options.TCP_NODELAY) {
            return socket.isTcpNoDelay();
        } else if (option == Options.READ_TIMEOUT) {
            return readTimeout;
        } else if (option == Options.WRITE_TIMEOUT) {
            return writeTimeout;
        }
        return null;
    }

    /** Sets an option this class keeps; the others are ignored, as NIO ignores options it lacks. */
    <T> void set(Option<T> option, T value) throws IOException {
        if (option == Options.REUSE_ADDRESSES) {
            socket.setReuseAddress(Options.REUSE_ADDRESSES.cast(value, Boolean.FALSE));
        } else if (option == Options.RECEIVE_BUFFER) {
            socket.setReceiveBufferSize(bufferSize(Options.RECEIVE_BUFFER, value));
        } else if (option == Options.SEND_BUFFER) {
            int size = bufferSize(Options.SEND_BUFFER, value);
            // Connections accepted from now on inherit it from the listening socket.
            socket.setSendBufferSize(size);
            sendBuffer = size;
        } else if (option == Options.TCP_OOB_INLINE) {
            boolean on = Options.TCP_OOB_INLINE.cast(value, Boolean.FALSE);
            socket.setOobInline(on);
            oobInline = on;
        } else if (option == Options.KEEP_ALIVE) {
            socket.setKeepAlive(Options.KEEP_ALIVE.cast(value, Boolean.FALSE));
        } else if (option == Options.TCP_NODELAY) {
            socket.setTcpNoDelay(Options.TCP_NODELAY.cast(value, Boolean.FALSE));
        } else if (option == Options.READ_TIMEOUT) {
            readTimeout = value == null ? 0 : Options.READ_TIMEOUT.cast(value);
        } else if (option == Options.WRITE_TIMEOUT) {
            writeTimeout = value == null ? 0 : Options.WRITE_TIMEOUT.cast(value);
        } else if (option == Options.BACKLOG) {
            int n = value == null ? DEFAULT_BACKLOG : Options.BACKLOG.cast(value);
            socket.listen(n);
            backlog = n;
        }
    }

    private static int bufferSize(Option<Integer> option, Object value) {
        int size = value == null ? DEFAULT_BUFFER_SIZE : option.cast(value);
        if (size < 1) {
            throw CoreLogger.LOG.optionOutOfRange(option.getName());
        }
        return size;
    }
}
