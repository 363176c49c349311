package dev.adaptiveio.core.conn;

import java.util.concurrent.TimeUnit;

import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.WriteTimeoutException;

/**
 * XNIO's READ_TIMEOUT and WRITE_TIMEOUT as NIO's conduit applies them: a read or write that
 * moves nothing, longer than the timeout after the last one that moved bytes, throws. The
 * limits live in the {@link ConnectionCore} (they travel with a moved connection); this keeps
 * when bytes last moved.
 */
final class IoTimeouts {

    private long lastReadNanos;
    private long lastWriteNanos;

    void afterRead(ConnectionCore core, long result, Object connection) throws ReadTimeoutException {
        int timeout = core.readTimeoutMillis();
        if (timeout > 0) {
            long now = System.nanoTime();
            if (result != 0) {
                lastReadNanos = now;
            } else if (lastReadNanos != 0 && now - lastReadNanos > TimeUnit.MILLISECONDS.toNanos(timeout)) {
                throw new ReadTimeoutException("Read timed out after " + timeout + " ms on " + connection);
            }
        }
    }

    void afterWrite(ConnectionCore core, long result, Object connection) throws WriteTimeoutException {
        int timeout = core.writeTimeoutMillis();
        if (timeout > 0) {
            long now = System.nanoTime();
            if (result != 0) {
                lastWriteNanos = now;
            } else if (lastWriteNanos != 0 && now - lastWriteNanos > TimeUnit.MILLISECONDS.toNanos(timeout)) {
                throw new WriteTimeoutException("Write timed out after " + timeout + " ms on " + connection);
            }
        }
    }
}
