package dev.adaptiveio.uring;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/**
 * Registers the {@code io_uring} provider with XNIO's {@link java.util.ServiceLoader} lookup.
 * {@link #getInstance()} throws, naming the cause and the fix, where io_uring cannot run.
 */
public final class UringXnioProvider implements XnioProvider {

    @Override
    public Xnio getInstance() {
        return UringXnio.instance();
    }

    @Override
    public String getName() {
        return UringXnio.NAME;
    }
}
