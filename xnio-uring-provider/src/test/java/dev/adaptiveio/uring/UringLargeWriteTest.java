package dev.adaptiveio.uring;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Large writes on the I/O thread go to the kernel from the caller's buffers when nothing is
 * queued (docs/io_uring.md, "Writes"): every byte arrives, in order, at a reader slower than the
 * writer, and no send chunk stays in use afterwards.
 */
class UringLargeWriteTest {

    private static final int TOTAL = 6 * 1024 * 1024;

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

    private StreamConnection connect(int peerReceiveBuffer) throws Exception {
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
        peer = new Socket();
        if (peerReceiveBuffer > 0) {
            peer.setReceiveBufferSize(peerReceiveBuffer);
        }
        peer.connect(address);
        peer.setSoTimeout(10_000);
        StreamConnection c = accepted.get(10, TimeUnit.SECONDS);
        assertInstanceOf(UringStreamConnection.class, c);
        onThread(c, () -> null);
        return c;
    }

    private static <T> T onThread(StreamConnection c, Callable<T> body) throws Exception {
        return UringWorkers.onThread(c.getIoThread(), body);
    }

    /** Large buffers, direct and heap, some written gathered: the write listener runs on the I/O thread. */
    @Test
    void severalMebibytesInLargeBuffersReachASlowReaderInOrder() throws Exception {
        byte[] payload = new byte[TOTAL];
        new Random(13).nextBytes(payload);
        CRC32 expected = new CRC32();
        expected.update(payload);

        StreamConnection c = connect(32 * 1024);
        int chunksBefore = SendQueue.chunksInUse();
        ArrayDeque<ByteBuffer> pieces = new ArrayDeque<>();
        int[] sizes = {256 * 1024, 1024 * 1024, 64 * 1024, 512 * 1024 + 17, 16 * 1024};
        for (int pos = 0, i = 0; pos < TOTAL; i++) {
            int n = Math.min(sizes[i % sizes.length], TOTAL - pos);
            ByteBuffer b = i % 2 == 0 ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
            b.put(payload, pos, n).flip();
            pieces.add(b);
            pos += n;
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        c.getIoThread().execute(() -> {
            ConduitStreamSinkChannel sink = c.getSinkChannel();
            sink.setWriteListener(ch -> {
                try {
                    assertSame(c.getIoThread(), Thread.currentThread());
                    while (!pieces.isEmpty()) {
                        ByteBuffer head = pieces.peek();
                        long n = pieces.size() >= 2 && head.isDirect()
                                ? ch.write(pieces.toArray(new ByteBuffer[0]), 0, 2)
                                : ch.write(head);
                        while (!pieces.isEmpty() && !pieces.peek().hasRemaining()) {
                            pieces.poll();
                        }
                        if (n == 0) {
                            return;
                        }
                    }
                    if (ch.flush()) {
                        ch.shutdownWrites();
                        if (ch.flush()) {
                            ch.suspendWrites();
                            written.complete(null);
                        }
                    }
                } catch (Throwable t) {
                    written.completeExceptionally(t);
                    ch.suspendWrites();
                }
            });
            sink.resumeWrites();
        });

        CRC32 received = new CRC32();
        long count = 0;
        byte[] buf = new byte[4096];
        InputStream in = peer.getInputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
            received.update(buf, 0, n);
            count += n;
            if ((count & 0xFFFF) < 4096) {
                Thread.sleep(1); // a reader slower than the writer, so the writer meets a full socket
            }
        }
        written.get(10, TimeUnit.SECONDS);
        assertEquals(TOTAL, count, "every byte arrives");
        assertEquals(expected.getValue(), received.getValue(), "in order (CRC32)");
        assertEquals(chunksBefore, (int) onThread(c, SendQueue::chunksInUse), "no send chunk left in use");
    }

    /** Ops the ring submitted, but for the TIMEOUTs it arms to wake for timers (this test sets one). */
    private static long dataOps(UringIoThread thread) {
        return thread.ring().submissions() - thread.ring().timeoutsArmed();
    }

    /** A write of one chunk or more with nothing queued is a system call, not a SEND. */
    @Test
    void aLargeWriteOnAnIdleConnectionIsTakenByTheKernelAtOnce() throws Exception {
        StreamConnection c = connect(0);
        int size = SendQueue.CHUNK;
        ByteBuffer data = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            data.put((byte) i);
        }
        data.flip();
        long before = onThread(c, () -> {
            long submitted = dataOps((UringIoThread) c.getIoThread());
            assertEquals(size, c.getSinkChannel().write(data));
            assertTrue(c.getSinkChannel().flush(), "nothing left to send");
            return submitted;
        });
        // Counted again from a timer: timers run after the next poll, so the iteration that wrote
        // has ended and anything it gathered has been submitted by then.
        CompletableFuture<Long> after = new CompletableFuture<>();
        c.getIoThread().executeAfter(() -> after.complete(dataOps((UringIoThread) c.getIoThread())),
                1, TimeUnit.MILLISECONDS);
        long sends = after.get(10, TimeUnit.SECONDS) - before;
        assertEquals(0, sends, "no SEND submitted: the kernel took the bytes from the caller's buffer");
        byte[] got = new byte[size];
        new java.io.DataInputStream(peer.getInputStream()).readFully(got);
        for (int i = 0; i < size; i++) {
            assertEquals((byte) i, got[i], "byte " + i);
        }
    }
}
