package dev.adaptiveio.testsuite.undertow;

import org.jboss.logging.Logger;
import org.xnio.Xnio;
import org.xnio.XnioProvider;

/**
 * Registered under the name {@code nio}, because Undertow's {@code DefaultServer} hard-codes
 * {@code Xnio.getInstance("nio", cl)}: hands out the provider under test instead.
 * <p>
 * It is the only provider named {@code nio} on the suite's class path (the pom runs xnio-nio
 * without its service registration), and it comes first, so Undertow's client tests that call
 * {@code Xnio.getInstance()} get the provider under test too.
 * <p>
 * One exception: when our own provider code ({@code dev.adaptiveio.*} outside the test suites)
 * asks XNIO for {@code "nio"}, e.g. for a fallback worker serving UDP or pipes, it wants stock
 * NIO and gets it; handing it the provider under test would recurse into itself.
 */
public final class SuiteXnioProvider implements XnioProvider {

    private static final Logger log = Logger.getLogger(SuiteXnioProvider.class);
    private static final StackWalker STACK = StackWalker.getInstance();
    private static volatile boolean providerLookupLogged;

    @Override
    public Xnio getInstance() {
        String caller = callerOfXnioGetInstance();
        if (caller != null && caller.startsWith("dev.adaptiveio.") && !caller.startsWith("dev.adaptiveio.testsuite.")) {
            if (!providerLookupLogged) {
                providerLookupLogged = true;
                log.infof("undertow-core-suite: %s looked up XNIO provider \"nio\": given stock NIO, not the provider under test",
                        caller);
            }
            return ProviderUnderTest.stockNio();
        }
        return ProviderUnderTest.xnio();
    }

    @Override
    public String getName() {
        return ProviderUnderTest.STOCK_NIO;
    }

    /** The class that called {@code Xnio.getInstance(...)}, or {@code null} if not called through it. */
    private static String callerOfXnioGetInstance() {
        return STACK.walk(frames -> {
            boolean inXnio = false;
            for (var it = frames.iterator(); it.hasNext(); ) {
                String name = it.next().getClassName();
                boolean xnio = name.equals(Xnio.class.getName()) || name.startsWith(Xnio.class.getName() + "$");
                if (xnio) {
                    inXnio = true;
                } else if (inXnio) {
                    return name;
                }
            }
            return null;
        });
    }
}
