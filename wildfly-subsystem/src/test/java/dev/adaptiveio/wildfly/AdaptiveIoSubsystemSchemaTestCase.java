package dev.adaptiveio.wildfly;

import java.util.EnumSet;

import org.jboss.as.subsystem.test.AbstractSubsystemSchemaTest;
import org.jboss.as.subsystem.test.AdditionalInitialization;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;

/**
 * Parses {@code adaptive-io-1.0.xml}, validates it against {@code schema/adaptive-io_1_0.xsd}, marshals the model back
 * and compares, boots the model again from the marshalled XML and checks every resource description (JUnit 4: the
 * WildFly test framework is JUnit 4, run by the vintage engine).
 */
@RunWith(Parameterized.class)
public class AdaptiveIoSubsystemSchemaTestCase extends AbstractSubsystemSchemaTest<AdaptiveIoSubsystemSchema> {

    @Parameterized.Parameters
    public static Iterable<AdaptiveIoSubsystemSchema> parameters() {
        return EnumSet.allOf(AdaptiveIoSubsystemSchema.class);
    }

    public AdaptiveIoSubsystemSchemaTestCase(AdaptiveIoSubsystemSchema schema) {
        super(AdaptiveIoSubsystemRegistrar.REGISTRATION.getName(), new AdaptiveIoExtension(), schema, AdaptiveIoSubsystemSchema.CURRENT);
    }

    @Override
    protected String getSubsystemXsdPathPattern() {
        return "schema/%1$s_%2$d_%3$d.xsd";
    }

    /** Model only: the engines' providers are not on this test's class path. */
    @Override
    protected AdditionalInitialization createAdditionalInitialization() {
        return AdditionalInitialization.MANAGEMENT;
    }
}
