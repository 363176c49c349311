package dev.adaptiveio.core.server;

import java.util.ArrayDeque;

import dev.adaptiveio.core.conn.NativeStreamConnection;

/** One accepting thread's state in a {@link NativeTcpServer}; only that thread reads or writes it. */
final class ThreadShare {

    /** Connections handed back after moving threads (see {@link NativeTcpServer#redeliver}). */
    final ArrayDeque<NativeStreamConnection> redelivered = new ArrayDeque<>();
    /** Connections the accept listener took on this thread, to tell whether a call took one. */
    long taken;
}
