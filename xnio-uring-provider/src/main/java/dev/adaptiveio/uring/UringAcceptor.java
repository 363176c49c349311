package dev.adaptiveio.uring;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.server.NativeTcpServer;

/**
 * A shared listening socket on one io_uring thread: an ACCEPT (multishot where the kernel has
 * it) is armed while the server lets this thread accept, and cancelled when it does not (for
 * example when the {@code adaptive} provider moves accepting to epoll: connections the kernel
 * has not handed out stay in the backlog for the other engine). Fds the ring accepted before a
 * cancel took effect are still delivered, never dropped. The default accept mode ({@code ring});
 * see {@link UringReadinessAcceptor} for {@code readiness}.
 */
final class UringAcceptor extends UringListenerAcceptor {

    /** Fds the ring accepted; taken on this thread, or by a blocking accept() on another. */
    private final ConcurrentLinkedQueue<Integer> accepted = new ConcurrentLinkedQueue<>();

    UringAcceptor(NativeTcpServer server, UringIoThread thread, boolean multishot) {
        super(server, thread, multishot, Op.ACCEPT);
    }

    @Override
    boolean submit(RingHandle handle, int tag) {
        return handle.accept(multishot, tag);
    }

    @Override
    public void update() {
        arm();
        if (!accepted.isEmpty()) {
            scheduleFlush();
        }
    }

    @Override
    public NativeStreamConnection accept() throws IOException {
        Integer fd = accepted.poll();
        return fd == null ? null : connectionFor(fd);
    }

    @Override
    public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
        if (kind != Op.ACCEPT) {
            return;
        }
        if (result >= 0) {
            if (closed || !server.isOpen()) {
                closeFd(result);
            } else {
                accepted.add(result);
            }
        }
        completed(result, flags, "accept");
    }

    /** End of the iteration: one accept-listener call per accepted fd, as many as are taken. */
    @Override
    void deliver() {
        while (!accepted.isEmpty() && server.isAcceptResumed() && server.isOpen()) {
            int before = accepted.size();
            server.deliverAccepted(this);
            if (accepted.size() >= before) {
                break;
            }
        }
        update();
    }

    @Override
    public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
        Integer fd;
        while ((fd = accepted.poll()) != null) {
            closeFd(fd);
        }
        super.onReleased(h, fdClosed, closeResult);
    }

    private static void closeFd(int fd) {
        try {
            NativeSocket.wrap(fd).close();
        } catch (IOException ignored) {
            // nobody saw it
        }
    }
}
