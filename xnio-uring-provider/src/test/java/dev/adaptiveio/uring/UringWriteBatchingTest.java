package dev.adaptiveio.uring;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Where written bytes leave, counted in ring submissions: writes flushed on the I/O thread during
 * one iteration leave in one SEND (what keeps Undertow's pipelined responses batched), and a write
 * from another thread on an idle connection is a direct system call that needs no submission.
 */
class UringWriteBatchingTest {

    private static final int MESSAGE = 200;
    private static final int MESSAGES = 10;

    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private Socket peer;

    @BeforeEach
    void start() throws Exception {
        worker = UringWorkers.create(1);
    }

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.close();
        }
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private StreamConnection connect() throws Exception {
        CompletableFuture<StreamConnection> accepted = new CompletableFuture<>();
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), ch -> {
            try {
                StreamConnection c = ch.accept();
                if (c != null) {
                    accepted.complete(c);
                }
            } catch (Exception e) {
                accepted.completeExceptionally(e);
            }
        }, OptionMap.EMPTY);
        server.resumeAccepts();
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        peer = new Socket(address.getAddress(), address.getPort());
        peer.setSoTimeout(5_000);
        StreamConnection c = accepted.get(10, TimeUnit.SECONDS);
        assertInstanceOf(UringStreamConnection.class, c);
        // One more iteration: the receive armed for the new connection has been submitted.
        onThread(c, () -> null);
        return c;
    }

    private static <T> T onThread(StreamConnection c, Callable<T> body) throws Exception {
        return UringWorkers.onThread(c.getIoThread(), body);
    }

    private static long submissions(StreamConnection c) throws Exception {
        return onThread(c, () -> ((UringIoThread) c.getIoThread()).ring().submissions());
    }

    private byte[] readFromPeer(int length) throws Exception {
        byte[] b = new byte[length];
        new DataInputStream(peer.getInputStream()).readFully(b);
        return b;
    }

    @Test
    void flushedWritesOfOneIterationLeaveInOneSend() throws Exception {
        StreamConnection c = connect();
        long before = onThread(c, () -> {
            long submitted = ((UringIoThread) c.getIoThread()).ring().submissions();
            for (int i = 0; i < MESSAGES; i++) {
                byte[] message = new byte[MESSAGE];
                Arrays.fill(message, (byte) i);
                assertEquals(MESSAGE, c.getSinkChannel().write(ByteBuffer.wrap(message)));
                assertTrue(c.getSinkChannel().flush(), "flush() on the I/O thread: bound to leave this iteration");
            }
            return submitted;
        });
        byte[] got = readFromPeer(MESSAGE * MESSAGES);
        for (int i = 0; i < got.length; i++) {
            assertEquals((byte) (i / MESSAGE), got[i], "byte " + i);
        }
        assertEquals(1, submissions(c) - before, "ten flushed writes in one iteration leave in one SEND");
    }

    @Test
    void aWriteFromAnotherThreadIsADirectSystemCall() throws Exception {
        StreamConnection c = connect();
        long before = submissions(c);
        byte[] message = new byte[MESSAGE];
        Arrays.fill(message, (byte) 7);
        assertFalse(Thread.currentThread() == c.getIoThread());
        assertEquals(MESSAGE, c.getSinkChannel().write(ByteBuffer.wrap(message)));
        assertArrayEquals(message, readFromPeer(MESSAGE));
        assertTrue(c.getSinkChannel().flush());
        assertEquals(0, submissions(c) - before, "no SEND submitted for a write the calling thread sent itself");
    }
}
