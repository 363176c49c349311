package dev.adaptiveio.epoll;

import java.io.IOException;

import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollKey;
import dev.adaptiveio.core.natives.epoll.EpollListener;
import dev.adaptiveio.core.natives.epoll.EpollPoller;

/**
 * A connection's epoll interest: IN|RDHUP always, OUT only while output waits for the kernel.
 * <p>
 * Owned by the connection's output lock: every method runs with it held, on whichever thread
 * wrote, so the recorded interest always matches the kernel's and a short write on a worker
 * thread asks for EPOLLOUT itself (epoll_ctl is thread-safe; the caller's guard keeps the fd
 * open). Without OUT, read events arrive as plain IN, which Netty hands over without
 * allocating, and a connection whose writes fit costs no epoll_ctl at all.
 */
final class OutInterest {

    static final int READ = EpollFlags.IN | EpollFlags.RDHUP | EpollFlags.ET;
    static final int READ_WRITE = READ | EpollFlags.OUT;

    private EpollKey key;
    /** OUT is (or, before registration, will be) in the kernel's interest set. */
    private boolean out;

    /** EPOLL_CTL_ADD with the current interest; reports what is already ready. */
    void register(EpollPoller poller, int fd, EpollListener listener) throws IOException {
        key = poller.register(fd, out ? READ_WRITE : READ, listener);
    }

    /**
     * Adds OUT. EPOLL_CTL_MOD re-evaluates readiness as ADD does (the kernel polls the file and
     * queues the item when a wanted event is already true), so room that appeared between the
     * short write and this call is reported by the next epoll_wait: no edge is lost.
     */
    void add() throws IOException {
        if (!out) {
            out = true;
            if (key != null) {
                key.changeInterest(READ_WRITE);
            }
        }
    }

    /**
     * Drops OUT once output is idle again (nothing held, the kernel took the last write whole):
     * nothing then waits for an edge, and the next short write adds OUT before anyone waits.
     */
    void drop() throws IOException {
        if (out) {
            out = false;
            if (key != null) {
                key.changeInterest(READ);
            }
        }
    }

    /** EPOLL_CTL_DEL; the fd stays open. */
    void cancel() {
        if (key != null) {
            key.cancel();
        }
    }
}
