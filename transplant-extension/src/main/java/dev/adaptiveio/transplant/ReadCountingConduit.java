package dev.adaptiveio.transplant;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Counts the bytes the application reads from an adopted connection. Installed at the bottom
 * of the connection's conduit chain before it is handed to its listener, so the extension can
 * tell whether Undertow's first idle resume after a move came before or after it consumed any
 * request bytes. I/O thread only, like the reads it counts.
 */
final class ReadCountingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {

    private long bytesRead;

    ReadCountingConduit(StreamSourceConduit next) {
        super(next);
    }

    long bytesRead() {
        return bytesRead;
    }

    private long count(long n) {
        if (n > 0) {
            bytesRead += n;
        }
        return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return (int) count(next.read(dst));
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        return count(next.read(dsts, offs, len));
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return count(next.transferTo(position, count, target));
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        // Bytes left in throughBuffer were read too.
        int before = throughBuffer.remaining();
        long n = next.transferTo(count, throughBuffer, target);
        count(n);
        count(Math.max(0, throughBuffer.remaining() - before));
        return n;
    }
}
