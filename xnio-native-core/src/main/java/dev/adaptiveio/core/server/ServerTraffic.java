package dev.adaptiveio.core.server;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.TrafficSink;

/**
 * What a server's connections did, per engine, for a controller that samples it: open
 * connections, accepts, request/response exchanges, response bytes and I/O errors. Counters
 * are cumulative; a sampler takes differences between ticks.
 * <p>
 * An exchange is counted when a connection writes after it has read, which for HTTP/1 is one
 * per response, whatever the number of writes the response takes.
 */
public final class ServerTraffic {

    private final Map<EngineId, PerEngine> engines = new EnumMap<>(EngineId.class);

    public ServerTraffic() {
        // Filled once, read without locks afterwards.
        for (EngineId id : EngineId.values()) {
            engines.put(id, new PerEngine());
        }
    }

    public PerEngine of(EngineId engine) {
        return engines.get(engine);
    }

    /** One engine's share of the traffic. */
    public static final class PerEngine implements TrafficSink {
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

        @Override
        public void exchange() {
            exchanges.increment();
        }

        @Override
        public void written(long bytes) {
            bytesWritten.add(bytes);
        }

        @Override
        public void error() {
            errors.increment();
        }
    }
}
