package dev.adaptiveio.testsuite.undertow;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import org.jboss.logging.Logger;
import org.xnio.Xnio;
import org.xnio.XnioProvider;
import org.xnio.nio.NioXnioProvider;

/**
 * The XNIO provider this suite run is about, resolved once per JVM.
 * <p>
 * The name comes from {@value #EXECUTION_PROVIDER_PROPERTY} (set per surefire execution by the
 * pom, so a {@code -D} on the Maven command line cannot leak into another execution), else from
 * {@value #PROVIDER_PROPERTY} (IDE runs), else {@value #STOCK_NIO}. {@code nio} means XNIO's
 * stock {@link NioXnioProvider}; any other name must be registered for {@link ServiceLoader} and
 * load. When it does not, the run fails with the provider's own exception: XNIO itself would
 * log that at DEBUG and fall back to NIO, which this suite must never do quietly.
 */
final class ProviderUnderTest {

    static final String PROVIDER_PROPERTY = "adaptiveio.suite.provider";
    static final String EXECUTION_PROVIDER_PROPERTY = "adaptiveio.suite.execution.provider";
    static final String STOCK_NIO = "nio";

    private static final Logger log = Logger.getLogger(ProviderUnderTest.class);

    private static Xnio resolved;
    private static IllegalStateException failure;

    private ProviderUnderTest() {
    }

    static String requestedName() {
        String name = System.getProperty(EXECUTION_PROVIDER_PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getProperty(PROVIDER_PROPERTY, STOCK_NIO);
        }
        return name.trim();
    }

    /**
     * The provider's {@link Xnio}, the same instance on every call. If the provider cannot be
     * loaded, an {@link UnavailableProviderXnio} whose workers fail with the reason.
     */
    static synchronized Xnio xnio() {
        if (resolved == null) {
            String name = requestedName();
            try {
                resolved = resolve(name);
                log.infof("undertow-core-suite: DefaultServer's Xnio.getInstance(\"nio\") is served by provider '%s' (%s)",
                        name, resolved.getClass().getName());
            } catch (RuntimeException | LinkageError e) {
                failure = new IllegalStateException("undertow-core-suite: XNIO provider '" + name
                        + "' (-D" + PROVIDER_PROPERTY + ") could not be loaded: " + e, e);
                log.error(failure.getMessage(), e);
                resolved = new UnavailableProviderXnio(name, failure);
            }
        }
        return resolved;
    }

    /** Why the provider under test could not be loaded, or {@code null}. */
    static synchronized IllegalStateException failure() {
        xnio();
        return failure;
    }

    /** XNIO's stock NIO provider, whatever the provider under test is. */
    static Xnio stockNio() {
        return new NioXnioProvider().getInstance();
    }

    private static Xnio resolve(String name) {
        if (STOCK_NIO.equals(name)) {
            return stockNio();
        }
        // XNIO's own lookup rule (first registered provider with that name), minus its silent
        // skipping of providers that throw.
        List<String> seen = new ArrayList<>();
        for (var it = ServiceLoader.load(XnioProvider.class, ProviderUnderTest.class.getClassLoader()).iterator(); ; ) {
            XnioProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a registered XNIO provider cannot be instantiated", e);
            }
            seen.add(provider.getName() + " (" + provider.getClass().getName() + ")");
            if (provider instanceof SuiteXnioProvider || !name.equals(provider.getName())) {
                continue;
            }
            Xnio xnio = provider.getInstance();
            if (!name.equals(xnio.getName())) {
                throw new IllegalStateException("provider " + provider.getClass().getName() + " is registered as '"
                        + name + "' but its Xnio says '" + xnio.getName() + "'");
            }
            return xnio;
        }
        throw new IllegalStateException("no XNIO provider named '" + name + "' is registered on the class path; found "
                + seen + ". Is its module a test dependency (see docs/undertow-suite.md)?");
    }
}
