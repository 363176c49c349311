package dev.adaptiveio.core.natives.epoll;

import java.io.IOException;
import java.util.concurrent.Executor;

import dev.adaptiveio.core.natives.NativeSupport;
import dev.adaptiveio.core.natives.NettyIoPoller;
import io.netty.channel.IoEvent;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.FileDescriptor;

/**
 * One epoll set, owned by one I/O thread, over raw file descriptors.
 */
public final class EpollPoller extends NettyIoPoller {

    public EpollPoller(Thread owner, Executor taskExecutor) throws IOException {
        super(owner, taskExecutor, newFactory());
    }

    private static IoHandlerFactory newFactory() throws IOException {
        NativeSupport.ensureEpoll();
        return EpollIoHandler.newFactory();
    }

    /**
     * Adds {@code fd} to the set. Must run on the owning thread.
     *
     * @param interest the initial {@link EpollFlags}; {@code 0} registers the fd silently
     */
    public EpollKey register(int fd, int interest, EpollListener listener) throws IOException {
        assert inOwnerThread();
        IoRegistration registration;
        try {
            registration = handler().register(new Handle(fd, listener));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        // A silent registration still needs EPOLL_CTL_ADD so that a later MOD works.
        registration.submit(EpollKey.opsOf(interest));
        return new EpollKey(registration, interest);
    }

    private static final class Handle implements EpollIoHandle {
        private final FileDescriptor fd;
        private final EpollListener listener;

        Handle(int fd, EpollListener listener) {
            // A view of the fd for Netty's bookkeeping; it is never closed through this object.
            this.fd = new FileDescriptor(fd);
            this.listener = listener;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            listener.onEpollEvents(((EpollIoEvent) event).ops().value());
        }

        @Override
        public void close() {
            // The owner of the fd closes it; Netty calls this on loop shutdown only.
        }
    }
}
