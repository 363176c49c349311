package dev.adaptiveio.adaptive;

/**
 * Something that joins every adaptive listener as it is created, found with
 * {@link java.util.ServiceLoader} on the class path of the adaptive provider (register it in
 * {@code META-INF/services/dev.adaptiveio.adaptive.AdaptiveListenerExtension}). The transplant
 * extension uses it to follow each listener's switches, so builder code and WildFly get it by
 * putting the jar (module) beside the provider.
 */
public interface AdaptiveListenerExtension {

    /** Called once per listener, after its start engine accepts; may register {@code onSwitch}. */
    void listenerCreated(AdaptiveListener listener);
}
