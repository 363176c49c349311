package dev.adaptiveio.core.conn;

/** Told once when an engine stops serving a connection (closed or detached), on its I/O thread. */
public interface ReleaseListener {

    void connectionReleased(NativeStreamConnection connection);
}
