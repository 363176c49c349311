package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

import dev.adaptiveio.core.natives.NativeSocket;

/**
 * A connection's transfers to and from a {@link FileChannel}. Files are sent with
 * {@code sendfile(2)}, behind the output accepted before them; only a channel sendfile cannot
 * read (not a plain file) goes through a buffer and {@code write}. Receiving into a file goes
 * through {@code read} and a buffer.
 */
final class FileTransfers {

    /** At most this much per sendfile call: Linux stops a little under 2 GiB anyway. */
    private static final long MAX_SEND_FILE = 1L << 30;
    private static final ThreadLocal<ByteBuffer> BOUNCE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64 * 1024));

    private FileTransfers() {
    }

    /**
     * Reads into {@code target} at {@code position}. As the XNIO contract and NIO's
     * {@code FileChannel.transferFrom} have it, the result is a count, never -1: end of input
     * gives 0 (a caller learns of the EOF from {@code read}), and a closed connection or file
     * throws {@link ClosedChannelException} before a byte leaves the socket.
     */
    static long toFile(NativeStreamConnection from, long position, long count, FileChannel target) throws IOException {
        if (!from.isOpen() || !target.isOpen()) {
            throw new ClosedChannelException();
        }
        ByteBuffer buffer = BOUNCE.get();
        long total = 0;
        while (total < count) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), count - total));
            int n = from.read(buffer);
            if (n <= 0) {
                return total;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                total += target.write(buffer, position + total);
            }
        }
        return total;
    }

    /**
     * Sends part of a file. A plain file goes with {@code sendfile(2)} through the engine's
     * {@link NativeStreamConnection#sendFileBehindOutput}, which first puts the output accepted before
     * it into the kernel. Other channels (see {@link NativeSocket#canSendFile}) are copied through
     * a per-thread buffer and this connection's {@code write}. The caller has checked that the
     * connection can write.
     */
    static long fromFile(NativeStreamConnection to, FileChannel src, long position, long count) throws IOException {
        long available = Math.min(count, src.size() - position);
        if (available <= 0) {
            return 0;
        }
        if (NativeSocket.canSendFile(src)) {
            long n;
            try {
                n = to.sendFileBehindOutput(src, position, Math.min(available, MAX_SEND_FILE));
            } catch (IOException e) {
                to.traffic.failed(e);
                throw e;
            } finally {
                if (!to.ioThread.inThisThread()) {
                    // sendFile cleared writeReady for the length of its call: a dispatch that
                    // looked then saw "not ready" and will not come back on its own. Outside the
                    // engine's output lock (an awaiting thread takes it after the await lock).
                    to.readinessChanged();
                }
            }
            return to.written(n);
        }
        return throughBuffer(to, src, position, available);
    }

    /**
     * The {@code sendfile(2)} call for {@link NativeStreamConnection#sendFileBehindOutput}: the
     * engine's output lock is held and has put every earlier byte into the kernel.
     * <p>
     * {@code writeReady} is cleared before the call and set again only when the call did not
     * find the socket full, so no edge or completion is lost: a readiness report that arrives
     * during the call (the I/O thread handling it while another thread sends) sets it again and
     * nothing here clears it afterwards. When it stays clear, the socket was full: the engine
     * hears when it drains through {@link NativeStreamConnection#sendFileFellShort}, called
     * under the same close guard as the sendfile.
     */
    static long sendFile(NativeStreamConnection to, FileChannel src, long position, long count) throws IOException {
        if (to.core.isClosing()) {
            throw new ClosedChannelException();
        }
        boolean guarded = to.enterGuard();
        try {
            to.writeReady = false;
            long n;
            try {
                n = to.core.socket().sendFile(src, position, count);
            } catch (IOException e) {
                // The next write (or the write listener) meets the failure rather than waits.
                to.writeReady = true;
                throw e;
            }
            // Short: the socket was full, unless the file shrank under the call (its size is
            // asked again only then).
            if (n == count || position + n >= src.size()) {
                // Everything went, or the file ended early: the socket was not found full, so no
                // report of it draining would come.
                to.writeReady = true;
            } else {
                to.sendFileFellShort();
            }
            return n;
        } finally {
            to.leaveGuard(guarded);
        }
    }

    private static long throughBuffer(NativeStreamConnection to, FileChannel src, long position, long available)
            throws IOException {
        ByteBuffer buffer = BOUNCE.get();
        long total = 0;
        while (total < available) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), available - total));
            int n = src.read(buffer, position + total);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            int written = to.write(buffer);
            total += written;
            if (written < n) {
                break;
            }
        }
        return total;
    }
}
