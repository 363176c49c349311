package dev.adaptiveio.transplant;

import java.util.Map;
import java.util.TreeMap;

import dev.adaptiveio.adaptive.AdaptiveListener;
import dev.adaptiveio.adaptive.AdaptiveListenerExtension;

/**
 * Joins every adaptive listener whose {@code TRANSPLANT} setting is on (XNIO option, system
 * property {@code adaptiveio.transplant}, WildFly attribute): a switch of the listener's
 * accepting engine marks its established connections for the new engine, so idle keep-alive
 * connections follow the switch (a switch back moves them back). Found by the adaptive provider
 * through {@link java.util.ServiceLoader}; with the flag off nothing is wired.
 */
public final class AdaptiveTransplantWiring implements AdaptiveListenerExtension {

    @Override
    public void listenerCreated(AdaptiveListener listener) {
        if (!listener.settings().transplant()) {
            return;
        }
        Transplant transplant = Transplant.global();
        transplant.setEnabled(true);
        listener.worker().publishTransplantCounts(() -> counts(transplant.metrics()));
        listener.onSwitch((from, to) -> transplant.markForMigration(listener.server(), to.providerName()));
    }

    /** Moves by direction and refusals by reason, as the worker MXBean shows them. */
    private static Map<String, Long> counts(TransplantMetrics metrics) {
        Map<String, Long> all = new TreeMap<>();
        metrics.movedByDirection().forEach((direction, n) -> all.put("moved " + direction, n));
        metrics.refusedByReason().forEach((reason, n) -> all.put("refused " + reason, n));
        return all;
    }
}
