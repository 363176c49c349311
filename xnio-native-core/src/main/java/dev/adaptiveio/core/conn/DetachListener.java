package dev.adaptiveio.core.conn;

/** Receives the outcome of {@link NativeStreamConnection#detach}, on the connection's I/O thread. */
public interface DetachListener {

    /** The fd left its engine, open and not shut down; the receiver owns it now. */
    void detached(DetachedConnection connection);

    /**
     * The connection stays where it is, still open unless {@code reason} says otherwise.
     *
     * @param cause what failed, for {@link DetachRefusal#OUTPUT_FAILED}; otherwise {@code null}
     */
    void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause);
}
