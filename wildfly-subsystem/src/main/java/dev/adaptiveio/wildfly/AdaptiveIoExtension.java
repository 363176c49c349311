package dev.adaptiveio.wildfly;

import org.wildfly.subsystem.SubsystemConfiguration;
import org.wildfly.subsystem.SubsystemExtension;
import org.wildfly.subsystem.SubsystemPersistence;

/**
 * The WildFly extension of module {@code dev.adaptiveio.wildfly}: {@code /extension=dev.adaptiveio.wildfly:add}
 * makes subsystem {@code adaptive-io} available.
 */
public class AdaptiveIoExtension extends SubsystemExtension<AdaptiveIoSubsystemSchema> {

    public AdaptiveIoExtension() {
        super(SubsystemConfiguration.of(AdaptiveIoSubsystemRegistrar.REGISTRATION, AdaptiveIoSubsystemModel.CURRENT, AdaptiveIoSubsystemRegistrar::new),
                SubsystemPersistence.of(AdaptiveIoSubsystemSchema.CURRENT));
    }
}
