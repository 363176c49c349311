package dev.adaptiveio.adaptive;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/** Registers the {@code adaptive} provider with XNIO's {@link java.util.ServiceLoader} lookup. */
public final class AdaptiveXnioProvider implements XnioProvider {

    @Override
    public Xnio getInstance() {
        return AdaptiveXnio.instance();
    }

    @Override
    public String getName() {
        return AdaptiveXnio.NAME;
    }
}
