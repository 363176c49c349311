package dev.adaptiveio.testsuite.undertow;

import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * Stands in for a provider under test that failed to load. Throwing from
 * {@code XnioProvider.getInstance()} would make XNIO skip the provider and report only
 * "No XNIO provider found"; this instance is handed out instead, so every worker Undertow's
 * tests try to create fails with the real cause.
 */
final class UnavailableProviderXnio extends Xnio {

    private final IllegalStateException cause;

    UnavailableProviderXnio(String requested, IllegalStateException cause) {
        super("unavailable:" + requested);
        this.cause = cause;
    }

    @Override
    protected XnioWorker build(XnioWorker.Builder builder) {
        throw new IllegalStateException(cause.getMessage(), cause);
    }
}
