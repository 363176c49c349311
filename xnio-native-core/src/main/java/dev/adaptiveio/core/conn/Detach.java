package dev.adaptiveio.core.conn;

import java.io.IOException;

import org.xnio.IoUtils;

/**
 * The steps of {@link NativeStreamConnection#detach}, in their order, on the connection's I/O
 * thread: send what was gathered, refuse if the connection cannot move, stop dispatching, let
 * the engine release the fd (open, not shut down), then close the XNIO side so Undertow's close
 * listeners clean up, and hand the core over.
 */
final class Detach {

    private Detach() {
    }

    static void onThread(NativeStreamConnection c, DetachListener listener) {
        if (c.isOpen() && !c.detached) {
            try {
                // A response gathered in this iteration leaves now, not with the next engine.
                c.engineFlush(true);
            } catch (IOException e) {
                listener.refused(c, DetachRefusal.OUTPUT_FAILED, e);
                return;
            }
        }
        DetachRefusal refusal = c.detachRefusal();
        if (refusal != null) {
            listener.refused(c, refusal, null);
            return;
        }
        c.detached = true;
        c.readResumed = false;
        c.writeResumed = false;
        c.engineRelease(true, () -> {
            DetachedConnection moved = new DetachedConnection(c.core, c.engineId());
            // XNIO's close runs the close listeners (Undertow cleans up); closeAction and the
            // terminate methods see "detached" and leave the fd alone.
            IoUtils.safeClose(c);
            listener.detached(moved);
        });
    }
}
