package dev.adaptiveio.core.server;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.OwnedCounter;
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

    /**
     * One engine's share of the traffic. What I/O threads count goes to their own
     * {@link PerThread} counters (plain stores, no atomic instruction on the request path); what
     * other threads count (blocking writers) goes to adders. Readers sum both, racily: a
     * sampler may miss the last few counts and sees them at its next tick.
     */
    public static final class PerEngine implements TrafficSink {
        final AtomicInteger open = new AtomicInteger();
        final LongAdder accepts = new LongAdder();
        private final LongAdder exchanges = new LongAdder();
        private final LongAdder bytesWritten = new LongAdder();
        private final LongAdder errors = new LongAdder();
        /** Copy on write: a thread is added once, on its first connection. */
        private volatile PerThread[] threads = new PerThread[0];

        public int openConnections() {
            return open.get();
        }

        public long accepts() {
            return accepts.sum();
        }

        public long exchanges() {
            long n = exchanges.sum();
            for (PerThread t : threads) {
                n += t.exchanges.get();
            }
            return n;
        }

        public long bytesWritten() {
            long n = bytesWritten.sum();
            for (PerThread t : threads) {
                n += t.bytes.get();
            }
            return n;
        }

        public long errors() {
            long n = errors.sum();
            for (PerThread t : threads) {
                n += t.errors.get();
            }
            return n;
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

        @Override
        public TrafficSink confinedTo(Thread thread) {
            for (PerThread t : threads) {
                if (t.thread == thread) {
                    return t;
                }
            }
            synchronized (this) {
                PerThread[] now = threads;
                for (PerThread t : now) {
                    if (t.thread == thread) {
                        return t;
                    }
                }
                PerThread added = new PerThread(thread);
                PerThread[] grown = Arrays.copyOf(now, now.length + 1);
                grown[now.length] = added;
                threads = grown;
                return added;
            }
        }
    }

    /**
     * One thread's counts, in {@link OwnedCounter}s: only that thread writes them.
     */
    static final class PerThread implements TrafficSink {
        final Thread thread;
        final OwnedCounter exchanges = new OwnedCounter();
        final OwnedCounter bytes = new OwnedCounter();
        final OwnedCounter errors = new OwnedCounter();

        PerThread(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void exchange() {
            exchanges.add(1);
        }

        @Override
        public void written(long n) {
            bytes.add(n);
        }

        @Override
        public void error() {
            errors.add(1);
        }
    }
}
