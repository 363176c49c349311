package dev.adaptiveio.wildfly;

import org.jboss.as.controller.ModelVersion;
import org.jboss.as.controller.SubsystemModel;

/** Management model versions of the adaptive-io subsystem. */
public enum AdaptiveIoSubsystemModel implements SubsystemModel {
    VERSION_1_0_0(1, 0, 0),
    ;
    static final AdaptiveIoSubsystemModel CURRENT = VERSION_1_0_0;

    private final ModelVersion version;

    AdaptiveIoSubsystemModel(int major, int minor, int micro) {
        this.version = ModelVersion.create(major, minor, micro);
    }

    @Override
    public ModelVersion getVersion() {
        return this.version;
    }
}
