package dev.adaptiveio.epoll;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/**
 * Registers the {@code epoll} provider with XNIO's {@link java.util.ServiceLoader} lookup.
 * {@link #getInstance()} throws, saying why, where native epoll cannot run.
 */
public final class EpollXnioProvider implements XnioProvider {

    @Override
    public Xnio getInstance() {
        return EpollXnio.instance();
    }

    @Override
    public String getName() {
        return EpollXnio.NAME;
    }
}
