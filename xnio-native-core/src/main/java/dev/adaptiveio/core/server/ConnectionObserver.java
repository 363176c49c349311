package dev.adaptiveio.core.server;

import dev.adaptiveio.core.conn.NativeStreamConnection;

/** Told of every connection a {@link NativeTcpServer} accepts and of its release (a manager's metrics). */
public interface ConnectionObserver {

    void accepted(NativeStreamConnection connection);

    void released(NativeStreamConnection connection);
}
