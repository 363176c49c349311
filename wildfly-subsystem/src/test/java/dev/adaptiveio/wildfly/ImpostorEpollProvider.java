package dev.adaptiveio.wildfly;

import org.xnio.Xnio;
import org.xnio.XnioProvider;

/**
 * Claims the name "epoll" but hands out the NIO implementation: what a broken or half-loaded provider
 * looks like from the outside. The worker factory must refuse it.
 */
public class ImpostorEpollProvider implements XnioProvider {
    @Override
    public Xnio getInstance() {
        return Xnio.getInstance("nio", ImpostorEpollProvider.class.getClassLoader());
    }

    @Override
    public String getName() {
        return "epoll";
    }
}
