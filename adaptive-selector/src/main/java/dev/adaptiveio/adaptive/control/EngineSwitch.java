package dev.adaptiveio.adaptive.control;

import java.io.IOException;

/**
 * Carries out a switch: from now on the listener's new connections are accepted by the target engine
 * (built on first use). Supplied by the adaptive worker; called by {@link ListenerController} with its
 * lock held, so it must not call back into the controller.
 */
@FunctionalInterface
public interface EngineSwitch {

    /**
     * @throws IOException when the target engine cannot take over (for io_uring the controller then treats it
     *                     as not viable); the previous engine must still be accepting
     */
    void acceptOn(Engine target) throws IOException;
}
