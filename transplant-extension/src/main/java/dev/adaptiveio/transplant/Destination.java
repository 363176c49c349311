package dev.adaptiveio.transplant;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;

/**
 * Where a connection is wanted: any I/O thread of an engine ({@link #engine(String)}), or a
 * given set of threads ({@link #threads}, e.g. to move connections between two threads of one
 * engine, or back to the threads they came from). A connection already on an accepted thread
 * stays where it is.
 */
public final class Destination {

    private final String engine;
    /** The engine whose every thread is accepted, or {@code null} for a set of threads. */
    private final EngineId anyThreadOf;
    private final Set<NativeIoThread> threads;

    private Destination(String engine, EngineId anyThreadOf, Set<NativeIoThread> threads) {
        this.engine = engine;
        this.anyThreadOf = anyThreadOf;
        this.threads = threads;
    }

    /**
     * Any I/O thread of the engine named {@code engine} ({@code epoll}, {@code io_uring}).
     *
     * @throws IllegalArgumentException when it names no engine (rather than a mark that never matches)
     */
    public static Destination engine(String engine) {
        return engine(EngineId.ofProviderName(engine));
    }

    /** Any I/O thread of {@code engine}. */
    public static Destination engine(EngineId engine) {
        return new Destination(engine.providerName(), engine, null);
    }

    /** One of {@code threads}. */
    public static Destination threads(NativeIoThread... threads) {
        return threads(Arrays.asList(threads));
    }

    public static Destination threads(Collection<NativeIoThread> threads) {
        if (threads.isEmpty()) {
            throw new IllegalArgumentException("at least one thread required");
        }
        Set<NativeIoThread> set = Set.copyOf(threads);
        String engines = set.stream().map(NativeIoThread::engineName).distinct().sorted()
                .collect(Collectors.joining("+"));
        return new Destination(engines, null, set);
    }

    /** The engine (or engines, joined by {@code +}) this destination names. */
    public String engine() {
        return engine;
    }

    /** The threads of {@code worker} this destination accepts (an engine's threads start lazily: maybe none). */
    List<NativeIoThread> threadsOf(NativeXnioWorker worker) {
        if (threads != null) {
            return threads.stream().filter(t -> t.getWorker() == worker).collect(Collectors.toList());
        }
        NativeIoThread[] all = worker.ioThreads(anyThreadOf);
        return all == null ? List.of() : Arrays.asList(all);
    }

    public boolean accepts(NativeIoThread thread) {
        return threads == null ? anyThreadOf == thread.engineId() : threads.contains(thread);
    }

    @Override
    public String toString() {
        if (threads == null) {
            return engine;
        }
        return threads.stream().map(Thread::getName).sorted().collect(Collectors.joining(", ", "[", "]"));
    }
}
