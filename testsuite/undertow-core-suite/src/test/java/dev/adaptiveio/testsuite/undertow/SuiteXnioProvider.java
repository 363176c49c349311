package dev.adaptiveio.testsuite.undertow;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/**
 * Registered under the name {@code nio}, because Undertow's {@code DefaultServer} hard-codes
 * {@code Xnio.getInstance("nio", cl)}: hands out the provider under test instead.
 * <p>
 * It is the only provider named {@code nio} on the suite's class path (the pom runs xnio-nio
 * without its service registration), and it comes first, so Undertow's client tests that call
 * {@code Xnio.getInstance()} get the provider under test too. A provider under test therefore
 * must not look up stock NIO through {@code Xnio.getInstance("nio")}; it would get itself.
 */
public final class SuiteXnioProvider implements XnioProvider {

    @Override
    public Xnio getInstance() {
        return ProviderUnderTest.xnio();
    }

    @Override
    public String getName() {
        return ProviderUnderTest.STOCK_NIO;
    }
}
