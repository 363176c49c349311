package dev.adaptiveio.core.conn;

import java.io.IOException;

/** An engine's I/O thread, seen as the new home of a {@link DetachedConnection}. */
public interface ConnectionAdopter {

    /**
     * Serves {@code detached} from now on, delivering the bytes it carries before anything new
     * from the socket. Must run on the adopting I/O thread; the caller then gives the connection
     * to its open listener.
     */
    NativeStreamConnection adopt(DetachedConnection detached) throws IOException;
}
