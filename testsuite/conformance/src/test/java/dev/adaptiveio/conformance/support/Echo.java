package dev.adaptiveio.conformance.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/** Non-blocking echo of one connection, driven by its read and write listeners on its I/O thread. */
final class Echo {
    private final StreamConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final ByteBuffer buffer; // filling mode between calls
    private final Problems problems;
    private boolean eof;

    Echo(TestWorker w, StreamConnection connection, int bufferSize, Problems problems) {
        this.connection = connection;
        this.source = connection.getSourceChannel();
        this.sink = connection.getSinkChannel();
        this.buffer = ByteBuffer.allocate(bufferSize);
        this.problems = problems;
        source.setReadListener(ch -> onReadable());
        sink.setWriteListener(ch -> onWritable());
    }

    void start() {
        source.resumeReads();
    }

    private void checkThread() {
        if (Thread.currentThread() != connection.getIoThread()) {
            problems.add("listener ran on " + Thread.currentThread() + ", connection belongs to " + connection.getIoThread());
        }
    }

    private void onReadable() {
        checkThread();
        try {
            for (;;) {
                int n = source.read(buffer);
                if (n < 0) {
                    eof = true;
                    source.suspendReads();
                    break;
                }
                if (n == 0 || !drain()) {
                    return; // nothing more now (0 is a tolerated spurious wakeup), or waiting for writability
                }
            }
            if (drain()) {
                finish();
            }
        } catch (IOException e) {
            IoUtils.safeClose(connection); // a peer reset is not a server bug
        }
    }

    private void onWritable() {
        checkThread();
        try {
            if (!drain()) {
                return;
            }
            sink.suspendWrites();
            if (eof) {
                finish();
            } else {
                source.resumeReads();
            }
        } catch (IOException e) {
            IoUtils.safeClose(connection);
        }
    }

    /** Writes what was read; on a short write switches from reading to waiting for writability. */
    private boolean drain() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                if (sink.write(buffer) == 0) {
                    break;
                }
            }
            return !buffer.hasRemaining();
        } finally {
            boolean done = !buffer.hasRemaining();
            buffer.compact();
            if (!done) {
                source.suspendReads();
                sink.resumeWrites();
            }
        }
    }

    private void finish() throws IOException {
        sink.shutdownWrites();
        if (sink.flush()) {
            IoUtils.safeClose(connection);
        } else {
            sink.setWriteListener(ChannelListeners.flushingChannelListener(ch -> IoUtils.safeClose(connection),
                    (ch, e) -> IoUtils.safeClose(connection)));
            sink.resumeWrites();
        }
    }
}
