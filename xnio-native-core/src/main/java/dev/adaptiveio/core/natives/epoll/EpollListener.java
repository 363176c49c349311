package dev.adaptiveio.core.natives.epoll;

/** Receives the events of one registered file descriptor, on the poller's thread. */
public interface EpollListener {

    /** @param readyOps the {@link EpollFlags} bits that are ready */
    void onEpollEvents(int readyOps);
}
