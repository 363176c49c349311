package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/** The marks and the per-thread index, without a server. */
class MarkRegistryTest {

    @Test
    void aSweepOfOneThreadSeesOnlyThatThreadsConnections() {
        MarkRegistry<String> registry = new MarkRegistry<>();
        Thread a = new Thread("a");
        Thread b = new Thread("b");
        List<Object> onA = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Object connection = new Object();
            boolean first = i < 3;
            registry.track(connection, first ? a : b, (first ? "a" : "b") + i);
            if (first) {
                onA.add(connection);
            }
        }
        assertEquals(1000, registry.size());
        assertEquals(Set.of("a0", "a1", "a2"), Set.copyOf(registry.on(a)));
        assertEquals(997, registry.on(b).size());
        assertEquals(Set.of(a, b), registry.threads());

        for (int i = 0; i < onA.size(); i++) {
            assertTrue(registry.forget(onA.get(i), a, "a" + i));
        }
        assertEquals(List.of(), registry.on(a));
        assertEquals(Set.of(b), registry.threads(), "a thread with nothing tracked leaves the index");
        assertEquals(997, registry.size());
    }

    @Test
    void trackingIsPerConnectionAndForgettingOnlyRemovesTheSameEntry() {
        MarkRegistry<String> registry = new MarkRegistry<>();
        Thread a = new Thread("a");
        Object connection = new Object();
        assertEquals("first", registry.track(connection, a, "first"));
        assertEquals("first", registry.track(connection, a, "second"), "the entry tracked before stays");
        assertEquals(List.of("first"), registry.on(a));
        assertFalse(registry.forget(connection, a, "second"));
        assertEquals("first", registry.tracked(connection));
        assertTrue(registry.forget(connection, a, "first"));
        assertNull(registry.tracked(connection));
        assertEquals(0, registry.size());
    }

    @Test
    void concurrentTrackAndForgetKeepTheIndexExact() throws Exception {
        MarkRegistry<Object> registry = new MarkRegistry<>();
        Thread io = new Thread("io");
        int threads = 4;
        int perThread = 5_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<List<Object>> kept = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            List<Object> mine = new ArrayList<>();
            kept.add(mine);
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Object c = new Object();
                    registry.track(c, io, c);
                    if (i % 2 == 0) {
                        registry.forget(c, io, c);
                    } else {
                        mine.add(c);
                    }
                }
            });
            workers.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        int expected = threads * perThread / 2;
        assertEquals(expected, registry.size());
        assertEquals(expected, registry.on(io).size(), "no entry lost to a racing removal of the thread's set");
    }

    @Test
    void marksPerListenerAndForAll() throws Exception {
        Xnio xnio = Xnio.getInstance("epoll", MarkRegistryTest.class.getClassLoader());
        assertEquals("epoll", xnio.getName(), "the epoll provider really runs");
        NativeXnioWorker worker = (NativeXnioWorker) xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 2));
        try {
            NativeIoThread t0 = worker.ioThreads()[0];
            NativeIoThread t1 = worker.ioThreads()[1];
            MarkRegistry<Object> registry = new MarkRegistry<>();
            Object listener = new Object();
            Object other = new Object();
            assertFalse(registry.hasMarks());
            assertNull(registry.wanted(listener, t0));

            Mark toT1 = registry.mark(listener, Destination.threads(t1));
            assertSame(toT1, registry.markFor(listener));
            assertNull(registry.markFor(other), "a listener's mark is its own");
            assertEquals(toT1.destination(), registry.wanted(listener, t0));
            assertNull(registry.wanted(listener, t1), "already where it is wanted");
            assertTrue(registry.wantedElsewhere(t0, listener));
            assertFalse(registry.wantedElsewhere(t1, listener));
            assertFalse(registry.wantedElsewhere(t0, other));
            assertTrue(registry.wantedElsewhere(new Thread("nio"), listener), "a non-native thread is never where a mark wants it");

            assertThrows(IllegalArgumentException.class, () -> Destination.engine("iouring"),
                    "a misspelt engine is an error, not a mark that never matches");
            Mark all = registry.mark(null, Destination.engine("io_uring"));
            assertSame(toT1, registry.markFor(listener), "a listener's own mark wins over the mark for all");
            assertSame(all, registry.markFor(other));
            assertEquals(all.destination(), registry.wanted(other, t1), "epoll threads are not io_uring's");
            assertEquals(2, registry.describeMarks().size());

            assertSame(toT1, registry.unmark(listener));
            assertSame(all, registry.markFor(listener));
            registry.clearMarks();
            assertFalse(registry.hasMarks());
            assertNull(registry.wanted(other, t1));
        } finally {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
