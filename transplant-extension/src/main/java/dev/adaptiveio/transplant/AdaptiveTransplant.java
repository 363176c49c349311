package dev.adaptiveio.transplant;

import dev.adaptiveio.adaptive.AdaptiveListener;
import dev.adaptiveio.adaptive.AdaptiveListenerExtension;

/**
 * Joins every adaptive listener whose settings have {@code TRANSPLANT} on (XNIO option
 * {@code AdaptiveOptions.TRANSPLANT}, {@code -Dadaptiveio.transplant=true},
 * {@code ADAPTIVEIO_TRANSPLANT=true}): switches {@link Transplant#global()} on, publishes its
 * counts on the adaptive worker's MXBean, and marks the listener's connections for the engine it
 * switches to, so a switch moves its idle keep-alive connections too (and a switch back moves
 * them back). Found by the adaptive provider through {@link java.util.ServiceLoader}; with the
 * flag off nothing is wired.
 * <p>
 * The request hook still has to be installed where Undertow's handlers are:
 * {@link Transplant#handler} in builder code, {@link TransplantHandler} as a WildFly filter.
 */
public final class AdaptiveTransplant implements AdaptiveListenerExtension {

    @Override
    public void listenerCreated(AdaptiveListener listener) {
        if (!listener.settings().transplant()) {
            return;
        }
        try {
            Transplant transplant = Transplant.global();
            transplant.setEnabled(true);
            listener.worker().publishTransplantCounts(transplant.metrics()::counts);
            listener.onSwitch((from, to) -> transplant.markForMigration(listener.server(), Destination.engine(to.id())));
        } catch (LinkageError e) {
            // Undertow is not on this class path: nothing to move connections for.
            TransplantLogger.LOG.noUndertow(listener.name(), e.toString());
        }
    }
}
