package dev.adaptiveio.adaptive.control;

import static dev.adaptiveio.adaptive.control.Engine.EPOLL;
import static dev.adaptiveio.adaptive.control.Engine.IO_URING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

class ListenerMetricsTest {

    @Test
    void acceptsClosesAndMovesKeepPerEngineCounts() {
        ListenerMetrics m = new ListenerMetrics();
        m.recordAccept(EPOLL);
        m.recordAccept(EPOLL);
        m.recordAccept(IO_URING);
        m.recordClose(EPOLL);
        m.recordMove(EPOLL, IO_URING);
        assertEquals(2, m.accepts(EPOLL));
        assertEquals(1, m.accepts(IO_URING));
        assertEquals(0, m.connections(EPOLL));
        assertEquals(2, m.connections(IO_URING));
    }

    @Test
    void countsStayExactUnderConcurrentUpdates() throws InterruptedException {
        ListenerMetrics m = new ListenerMetrics();
        int threads = 4;
        int perThread = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Engine engine = t % 2 == 0 ? EPOLL : IO_URING;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    m.recordAccept(engine);
                    if (i % 2 == 0) {
                        m.recordClose(engine);
                    }
                    m.recordSwitch(SwitchReason.FORCED, engine);
                    m.recordRejection(RejectReason.COOLDOWN);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(60_000);
        }
        assertEquals(2L * perThread, m.accepts(EPOLL));
        assertEquals(2L * perThread, m.accepts(IO_URING));
        assertEquals(perThread, m.connections(EPOLL));
        assertEquals(perThread, m.connections(IO_URING));
        assertEquals((long) threads * perThread, m.switches(SwitchReason.FORCED));
        assertEquals((long) threads * perThread, m.rejections(RejectReason.COOLDOWN));
    }

    @Test
    void reasonMapsListEveryReasonAndAreSnapshots() {
        ListenerMetrics m = new ListenerMetrics();
        m.recordSwitch(SwitchReason.LOW_LOAD, EPOLL);
        m.recordRejection(RejectReason.FROZEN);
        m.recordRejection(RejectReason.FROZEN);
        Map<SwitchReason, Long> switches = m.switchesByReason();
        Map<RejectReason, Long> rejections = m.rejectionsByReason();
        assertEquals(SwitchReason.values().length, switches.size());
        assertEquals(RejectReason.values().length, rejections.size());
        assertEquals(1L, switches.get(SwitchReason.LOW_LOAD));
        assertEquals(0L, switches.get(SwitchReason.FORCED));
        assertEquals(2L, rejections.get(RejectReason.FROZEN));
        m.recordRejection(RejectReason.FROZEN);
        assertEquals(2L, rejections.get(RejectReason.FROZEN), "a snapshot does not change");
        assertThrows(UnsupportedOperationException.class, () -> switches.put(SwitchReason.FORCED, 5L));
        assertEquals(1, m.switches());
        assertEquals(3, m.rejections());
    }

    @Test
    void startAndTierAndActiveEngine() {
        ListenerMetrics m = new ListenerMetrics();
        assertNull(m.activeEngine());
        assertNull(m.startDecision());
        assertEquals("UNKNOWN", m.ioUringTier());
        m.recordStart(new StartDecision(IO_URING, StartGate.WORKLOAD_HINT, "workload hint HIGH_CONCURRENCY"), "DEFER_TASKRUN");
        assertEquals(IO_URING, m.activeEngine());
        assertEquals("DEFER_TASKRUN", m.ioUringTier());
        m.recordSwitch(SwitchReason.LOW_LOAD, EPOLL);
        assertEquals(EPOLL, m.activeEngine());
        assertEquals(IO_URING, m.startDecision().engine(), "the start decision does not change with switches");
    }
}
