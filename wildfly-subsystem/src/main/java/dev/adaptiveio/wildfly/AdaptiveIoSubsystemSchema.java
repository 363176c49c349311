package dev.adaptiveio.wildfly;

import org.jboss.as.controller.ResourceRegistration;
import org.jboss.as.controller.SubsystemSchema;
import org.jboss.as.controller.persistence.xml.ResourceXMLParticleFactory;
import org.jboss.as.controller.persistence.xml.SubsystemResourceRegistrationXMLElement;
import org.jboss.as.controller.persistence.xml.SubsystemResourceXMLSchema;
import org.jboss.as.controller.xml.VersionedNamespace;
import org.jboss.as.controller.xml.XMLCardinality;
import org.jboss.staxmapper.IntVersion;

/**
 * XML schemas of the subsystem: {@code urn:wildfly:adaptive-io:1.0} ({@code schema/adaptive-io_1_0.xsd}).
 * <pre>
 * &lt;subsystem xmlns="urn:wildfly:adaptive-io:1.0"&gt;
 *     &lt;worker name="epoll-worker" engine="epoll" io-threads="2"/&gt;
 * &lt;/subsystem&gt;
 * </pre>
 */
public enum AdaptiveIoSubsystemSchema implements SubsystemResourceXMLSchema<AdaptiveIoSubsystemSchema> {
    VERSION_1_0(1, 0),
    ;
    static final AdaptiveIoSubsystemSchema CURRENT = VERSION_1_0;

    private final VersionedNamespace<IntVersion, AdaptiveIoSubsystemSchema> namespace;
    private final ResourceXMLParticleFactory factory = ResourceXMLParticleFactory.newInstance(this);

    AdaptiveIoSubsystemSchema(int major, int minor) {
        this.namespace = SubsystemSchema.createSubsystemURN(AdaptiveIoSubsystemRegistrar.REGISTRATION.getName(), new IntVersion(major, minor));
    }

    @Override
    public VersionedNamespace<IntVersion, AdaptiveIoSubsystemSchema> getNamespace() {
        return this.namespace;
    }

    @Override
    public SubsystemResourceRegistrationXMLElement getSubsystemXMLElement() {
        return this.factory.subsystemElement(AdaptiveIoSubsystemRegistrar.REGISTRATION)
                .withContent(this.factory.choice().withCardinality(XMLCardinality.Unbounded.OPTIONAL)
                        .addElement(this.factory.namedElement(ResourceRegistration.of(WorkerResourceRegistrar.PATH))
                                .addAttributes(WorkerAttributes.ALL)
                                .build())
                        .build())
                .build();
    }
}
