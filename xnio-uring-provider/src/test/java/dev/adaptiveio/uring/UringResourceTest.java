package dev.adaptiveio.uring;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Close releases everything a connection lent to the kernel: after connections closed by either
 * side, with output and receives in flight, no handle stays registered on any ring, no op stays
 * in flight and no send chunk stays taken.
 */
class UringResourceTest {

    private NativeXnioWorker worker;

    @BeforeEach
    void start() throws Exception {
        worker = (NativeXnioWorker) UringWorkers.create(2);
    }

    @AfterEach
    void stop() throws Exception {
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    private int registeredOnAllRings() throws Exception {
        int total = 0;
        for (NativeIoThread t : worker.ioThreads()) {
            CompletableFuture<Integer> n = new CompletableFuture<>();
            t.execute(() -> n.complete(((UringIoThread) t).ring().registeredCount()));
            total += n.get(10, TimeUnit.SECONDS);
        }
        return total;
    }

    @Test
    void closedConnectionsGiveBackHandlesOpsAndBuffers() throws Exception {
        int chunksBefore = SendQueue.chunksInUse();
        AtomicInteger serverSideCloses = new AtomicInteger();
        List<StreamConnection> accepted = new ArrayList<>();
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress("127.0.0.1", 0), ch -> {
                    try {
                        StreamConnection c;
                        while ((c = ch.accept()) != null) {
                            StreamConnection conn = c;
                            synchronized (accepted) {
                                accepted.add(conn);
                            }
                            // Output until the kernel and the send queue are full: SENDs are in
                            // flight and bytes are queued when the connection closes.
                            ByteBuffer chunk = ByteBuffer.allocate(65536);
                            conn.getSinkChannel().setWriteListener(sink -> {
                                try {
                                    while (sink.write(chunk) > 0) {
                                        chunk.clear();
                                    }
                                } catch (java.io.IOException e) {
                                    IoUtils.safeClose(conn);
                                }
                            });
                            conn.getSinkChannel().resumeWrites();
                            conn.setCloseListener(x -> serverSideCloses.incrementAndGet());
                            conn.getSourceChannel().resumeReads();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, OptionMap.EMPTY);
        server.resumeAccepts();
        int baseline = 2; // the listening socket on each ring
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Socket s = new Socket(addr.getAddress(), addr.getPort());
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            o.write(new byte[100]);
            InputStream in = s.getInputStream();
            assertTrue(in.read(new byte[1000]) > 0);
            clients.add(s);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (accepted.size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(100, accepted.size());
        assertEquals(baseline + 100, registeredOnAllRings());
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SendQueue.chunksInUse() < chunksBefore + 100 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(SendQueue.chunksInUse() >= chunksBefore + 100, "output queued on every unread connection");
        // Half closed by the client, half by the server, all with output pending.
        for (int i = 0; i < 100; i++) {
            if (i % 2 == 0) {
                clients.get(i).setSoLinger(true, 0);
                clients.get(i).close();
            } else {
                IoUtils.safeClose(accepted.get(i));
            }
        }
        for (int i = 1; i < 100; i += 2) {
            // Drain what the server still sends, then see its close.
            InputStream in = clients.get(i).getInputStream();
            byte[] buf = new byte[65536];
            while (in.read(buf) >= 0) {
                // the lingering output arrives before end of stream
            }
            clients.get(i).close();
        }
        for (int i = 0; i < 100; i += 2) {
            // Reset by the peer: the server learns it from a failed SEND or RECV and closes.
            IoUtils.safeClose(accepted.get(i));
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((registeredOnAllRings() > baseline || SendQueue.chunksInUse() > chunksBefore)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(baseline, registeredOnAllRings(), "handles left on the rings");
        assertEquals(chunksBefore, SendQueue.chunksInUse(), "send chunks not given back");
        assertEquals(100, serverSideCloses.get());
        server.close();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (registeredOnAllRings() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, registeredOnAllRings(), "the listening socket left a ring");
    }
}
