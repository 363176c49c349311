package dev.adaptiveio.core.loop;

/**
 * A resource the I/O thread ends at shutdown through XNIO's
 * {@link org.xnio.conduits.TerminateHandler#forceTermination()} contract rather than a plain close,
 * so a front end (Undertow's HTTP/2 or TLS connection) closes it its own way.
 */
public interface ForceTerminable {

    /** Ends the resource; called on the I/O thread, possibly more than once while it lingers. */
    void forceTermination();
}
