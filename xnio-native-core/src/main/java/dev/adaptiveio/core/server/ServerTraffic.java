package dev.adaptiveio.core.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server's connections did, per engine, for a controller that samples it: open
 * connections, accepts, request/response exchanges, response bytes and I/O errors. Counters
 * are cumulative; a sampler takes differences between ticks.
 * <p>
 * An exchange is counted when a connection writes after it has read, which for HTTP/1 is one
 * per response, whatever the number of writes the response takes.
 */
public final class ServerTraffic {

    private final Map<String, PerEngine> engines = new ConcurrentHashMap<>();

    public PerEngine of(String engine) {
        return engines.computeIfAbsent(engine, e -> new PerEngine());
    }

    public Map<String, PerEngine> engines() {
        return engines;
    }

    /** One engine's share of the traffic. */
    public static final class PerEngine {
        final AtomicInteger open = new AtomicInteger();
        final LongAdder accepts = new LongAdder();
        private final LongAdder exchanges = new LongAdder();
        private final LongAdder bytesWritten = new LongAdder();
        private final LongAdder errors = new LongAdder();

        public int openConnections() {
            return open.get();
        }

        public long accepts() {
            return accepts.sum();
        }

        public long exchanges() {
            return exchanges.sum();
        }

        public long bytesWritten() {
            return bytesWritten.sum();
        }

        public long errors() {
            return errors.sum();
        }

        public void exchange() {
            exchanges.increment();
        }

        public void written(long bytes) {
            bytesWritten.add(bytes);
        }

        public void error() {
            errors.increment();
        }
    }
}
