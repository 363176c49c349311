package dev.adaptiveio.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.NativeSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The close guard: the fd never closes under another thread's system call, and a close that
 * waited for one always finishes, even when the last thread to leave was one the closing core
 * refused at the door.
 */
class ConnectionCoreGuardTest {

    @BeforeAll
    static void natives() throws Exception {
        NativeSupport.ensureEpoll();
    }

    @Test
    void aCloseThatWaitedIsFinishedByTheLastCallerToLeave() throws Exception {
        ConnectionCore core = new ConnectionCore(NativeSocket.openStream(), null, null);
        AtomicInteger finishAsked = new AtomicInteger();
        core.servedBy(finishAsked::incrementAndGet);

        core.enter();
        core.beginClose();
        assertEquals(false, core.closeFdIfIdle(), "a caller is inside: the fd must stay open");
        assertThrows(ClosedChannelException.class, core::enter, "a closing core refuses new callers");
        assertEquals(0, finishAsked.get(), "the refused caller was not the last one out");
        core.exit();
        assertEquals(1, finishAsked.get(), "the last caller out asks the I/O thread to finish the close");
        assertTrue(core.closeFdIfIdle());
    }

    /**
     * Callers keep knocking while the I/O thread closes. When the I/O thread's look at the
     * callers counts a caller that is about to be refused, that refused caller is the last one
     * out and must ask for the close to finish; otherwise the fd leaks.
     */
    @Test
    void noInterleavingOfCallersAndCloseLeavesTheFdOpen() throws Exception {
        int waited = 0;
        for (int round = 0; round < 1000; round++) {
            ConnectionCore core = new ConnectionCore(NativeSocket.openStream(), null, null);
            AtomicInteger finishAsked = new AtomicInteger();
            core.servedBy(finishAsked::incrementAndGet);
            CountDownLatch started = new CountDownLatch(2);
            Thread[] callers = new Thread[2];
            for (int i = 0; i < callers.length; i++) {
                callers[i] = new Thread(() -> {
                    started.countDown();
                    int refused = 0;
                    while (refused < 50) {
                        try {
                            core.enter();
                            core.exit();
                        } catch (ClosedChannelException e) {
                            refused++;
                        }
                    }
                });
                callers[i].start();
            }
            started.await();
            core.beginClose();
            boolean closedAtOnce = core.closeFdIfIdle();
            for (Thread t : callers) {
                t.join();
            }
            if (!closedAtOnce) {
                waited++;
                assertTrue(finishAsked.get() > 0, "round " + round + ": the close waited for a caller and nobody finished it");
                assertTrue(core.closeFdIfIdle(), "round " + round + ": every caller has left");
            }
        }
        // The interesting interleaving must have happened, or the test proved nothing.
        assertTrue(waited > 0, "the close never had to wait for a caller in 1000 rounds");
    }
}
