package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

import dev.adaptiveio.core.natives.NativeSocket;

/**
 * A connection's transfers to and from a {@link FileChannel}, through its own {@code read} and
 * {@code write} (so timeouts, traffic counts and gathered output apply as to any other bytes).
 */
final class FileTransfers {

    /** Ranges at least this long are sent from a memory mapping instead of the bounce buffer. */
    private static final long MAP_THRESHOLD = Long.getLong("adaptiveio.transfer.mapBytes", 256 * 1024);
    private static final long MAP_CHUNK = 8L * 1024 * 1024;
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
     * Sends part of a file. Large ranges are mapped and written from the mapping (the kernel
     * copies straight from the page cache, no copy through the Java heap or a bounce buffer);
     * small ones go through a per-thread bounce buffer, where a mapping would cost more than it
     * saves. The caller has checked that the connection can write.
     */
    static long fromFile(NativeStreamConnection to, FileChannel src, long position, long count) throws IOException {
        long available = Math.min(count, src.size() - position);
        if (available <= 0) {
            return 0;
        }
        if (available >= MAP_THRESHOLD) {
            MappedByteBuffer mapped = src.map(FileChannel.MapMode.READ_ONLY, position, Math.min(available, MAP_CHUNK));
            try {
                return to.write(mapped);
            } finally {
                NativeSocket.freeDirect(mapped);
            }
        }
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
