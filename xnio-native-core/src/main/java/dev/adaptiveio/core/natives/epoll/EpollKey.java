package dev.adaptiveio.core.natives.epoll;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * One file descriptor's membership in an epoll set. Cancelling it removes the fd from the set
 * and never closes the fd.
 * <p>
 * Changing the interest set is EPOLL_CTL_MOD, which may be called from any thread (the kernel
 * and Netty's registration serialise it); callers serialise their own calls, so the recorded
 * interest matches the kernel's.
 */
public final class EpollKey {

    /**
     * {@link EpollIoOps#valueOf} allocates for any combination Netty does not cache (ours carry
     * ET), so the few sets a key switches between are kept here. Racy but safe: EpollIoOps is
     * immutable with a final field.
     */
    private static final EpollIoOps[] OPS_CACHE = new EpollIoOps[8];

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
            registration.submit(opsOf(ops));
        }
    }

    /**
     * As {@link #interest(int)}, reporting a failed {@code epoll_ctl} (the fd is no longer
     * usable) as the {@link IOException} it is.
     */
    public void changeInterest(int ops) throws IOException {
        try {
            interest(ops);
        } catch (UncheckedIOException e) {
            throw e.getCause();
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

    static EpollIoOps opsOf(int interest) {
        int value = interest == 0 ? EpollFlags.ET : interest;
        EpollIoOps[] cache = OPS_CACHE;
        for (int i = 0; i < cache.length; i++) {
            EpollIoOps ops = cache[i];
            if (ops == null) {
                ops = EpollIoOps.valueOf(value);
                cache[i] = ops;
                return ops;
            }
            if (ops.value() == value) {
                return ops;
            }
        }
        return EpollIoOps.valueOf(value);
    }
}
