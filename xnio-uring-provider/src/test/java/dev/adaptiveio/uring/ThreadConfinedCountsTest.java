package dev.adaptiveio.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.BufferPool;
import dev.adaptiveio.core.conn.TrafficSink;
import dev.adaptiveio.core.server.ServerTraffic;
import org.junit.jupiter.api.Test;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The counts an I/O thread keeps without atomics (buffers in use, a server's traffic) add up with
 * what other threads count, including buffers that leave on another thread than they came, and
 * the counts of a thread that has ended.
 */
class ThreadConfinedCountsTest {

    @Test
    void buffersInUseAddUpAcrossThreadsAndThreadEnds() throws Exception {
        BufferPool pool = new BufferPool(1024, 16);
        XnioWorker first = worker();
        XnioIoThread io = first.getIoThread();
        List<ByteBuffer> taken = on(io, () -> take(pool, 5));
        assertEquals(5, pool.inUse());
        pool.release(taken.remove(0));
        pool.release(taken.remove(0));
        assertEquals(3, pool.inUse(), "given back on another thread than the one that took them");
        on(io, () -> {
            taken.forEach(pool::release);
            return null;
        });
        taken.clear();
        assertEquals(0, pool.inUse());

        taken.addAll(on(io, () -> take(pool, 4)));
        first.shutdown();
        assertTrue(first.awaitTermination(10, TimeUnit.SECONDS));
        XnioWorker second = worker();
        try {
            // The second thread's first use folds the ended thread's count into the shared one.
            taken.addAll(on(second.getIoThread(), () -> take(pool, 1)));
            assertEquals(5, pool.inUse(), "an ended thread's buffers still count");
            taken.forEach(pool::release);
            assertEquals(0, pool.inUse());
        } finally {
            second.shutdown();
        }
    }

    @Test
    void trafficCountedOnTheIoThreadAddsUpWithOtherThreads() throws Exception {
        ServerTraffic.PerEngine traffic = new ServerTraffic().of(EngineId.IO_URING);
        XnioWorker worker = worker();
        try {
            XnioIoThread io = worker.getIoThread();
            TrafficSink confined = on(io, () -> traffic.confinedTo(Thread.currentThread()));
            assertTrue(confined != traffic, "an I/O thread gets a sink of its own");
            assertTrue(confined == on(io, () -> traffic.confinedTo(Thread.currentThread())), "and the same one again");
            on(io, () -> {
                for (int i = 0; i < 1000; i++) {
                    confined.exchange();
                    confined.written(10);
                }
                confined.error();
                return null;
            });
            traffic.exchange();
            traffic.written(7);
            traffic.error();
            assertEquals(1001, traffic.exchanges());
            assertEquals(10_007, traffic.bytesWritten());
            assertEquals(2, traffic.errors());
        } finally {
            worker.shutdown();
        }
    }

    private static XnioWorker worker() throws Exception {
        return UringWorkers.create(1);
    }

    private static List<ByteBuffer> take(BufferPool pool, int n) {
        List<ByteBuffer> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(pool.acquire());
        }
        return list;
    }

    private static <T> T on(XnioIoThread thread, Callable<T> task) throws Exception {
        return UringWorkers.onThread(thread, task);
    }
}
