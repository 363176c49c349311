package dev.adaptiveio.core.natives.epoll;

import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * One file descriptor's membership in an epoll set. Cancelling it removes the fd from the set
 * and never closes the fd.
 */
public final class EpollKey {

    private final IoRegistration registration;
    private int interest;

    EpollKey(IoRegistration registration, int interest) {
        this.registration = registration;
        this.interest = interest;
    }

    /** Changes the interest set (EPOLL_CTL_MOD); {@code 0} keeps the fd registered but silent. */
    public void interest(int ops) {
        if (ops != interest) {
            interest = ops;
            registration.submit(EpollIoOps.valueOf(ops == 0 ? EpollFlags.ET : ops));
        }
    }

    public int interest() {
        return interest;
    }

    /** Removes the fd from the epoll set (EPOLL_CTL_DEL); synchronous on the poller's thread. */
    public void cancel() {
        registration.cancel();
    }

    public boolean isValid() {
        return registration.isValid();
    }
}
