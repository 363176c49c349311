package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.channels.AcceptingChannel;

/** The fd's move between two epoll I/O threads, without Undertow: a raw server and a plain client socket. */
class MoveCoordinatorTest {

    private NativeXnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private final CompletableFuture<StreamConnection> accepted = new CompletableFuture<>();
    private Socket client;
    private NativeStreamConnection connection;
    private final TransplantMetrics metrics = new TransplantMetrics();
    private final MoveCoordinator coordinator = new MoveCoordinator(metrics);

    @BeforeEach
    void connect() throws Exception {
        Xnio xnio = Xnio.getInstance("epoll", MoveCoordinatorTest.class.getClassLoader());
        assertEquals("epoll", xnio.getName(), "the epoll provider really runs");
        worker = (NativeXnioWorker) xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 2));
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
        client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort());
        client.setSoTimeout(10_000);
        connection = (NativeStreamConnection) accepted.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        server.close();
        worker.shutdown();
        assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminates");
    }

    private NativeIoThread otherThread() {
        NativeIoThread here = connection.nativeIoThread();
        return worker.ioThreads()[0] == here ? worker.ioThreads()[1] : worker.ioThreads()[0];
    }

    @Test
    void targetsAreOtherThreadsTheDestinationAccepts() {
        NativeIoThread other = otherThread();
        List<NativeIoThread> engine = coordinator.candidates(connection, Destination.engine("epoll"), false);
        assertEquals(List.of(other), engine, "the server accepts on every epoll thread; never the own thread");
        assertEquals(List.of(), coordinator.candidates(connection, Destination.engine("io_uring"), true));
        assertSame(other, coordinator.selectTarget(connection, Destination.threads(other), false));
        assertNull(coordinator.selectTarget(connection, Destination.threads(connection.nativeIoThread()), true));
        coordinator.setTargetSelector((c, to, candidates) -> connection.nativeIoThread());
        assertNull(coordinator.selectTarget(connection, Destination.engine("epoll"), true),
                "a selector's pick outside the candidates is refused");
    }

    @Test
    void movesTheFdWithCarriedBytesFirst() throws Exception {
        NativeIoThread source = connection.nativeIoThread();
        NativeIoThread target = otherThread();
        StringBuilder received = new StringBuilder();
        CompletableFuture<NativeStreamConnection> delivered = new CompletableFuture<>();
        CompletableFuture<String> readAll = new CompletableFuture<>();
        CompletableFuture<Long> moved = new CompletableFuture<>();
        ByteBuffer carried = ByteBuffer.wrap("carried|".getBytes(StandardCharsets.US_ASCII));

        coordinator.move(connection, target, carried, new RecordingMove() {
            @Override
            public void deliver(NativeStreamConnection adopted) {
                assertSame(target, Thread.currentThread(), "delivered on the target thread");
                adopted.getSourceChannel().getReadSetter().set(ch -> {
                    ByteBuffer buf = ByteBuffer.allocate(256);
                    try {
                        int n;
                        while ((n = ch.read(buf)) > 0) {
                            buf.flip();
                            received.append(StandardCharsets.US_ASCII.decode(buf));
                            buf.clear();
                        }
                        if (received.toString().equals("carried|from the client")) {
                            readAll.complete(received.toString());
                        }
                    } catch (Exception e) {
                        readAll.completeExceptionally(e);
                    }
                });
                adopted.getSourceChannel().resumeReads();
                delivered.complete(adopted);
            }

            @Override
            public void moved(NativeStreamConnection adopted, NativeIoThread from, long nanos) {
                assertSame(source, from);
                moved.complete(nanos);
            }
        });
        NativeStreamConnection adopted = delivered.get(10, TimeUnit.SECONDS);
        assertTrue(moved.get(10, TimeUnit.SECONDS) >= 0);
        assertNotSame(connection, adopted, "adopted as a new connection");
        assertSame(target, adopted.nativeIoThread());
        assertTrue(connection.isDetached());

        OutputStream out = client.getOutputStream();
        out.write("from the client".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertEquals("carried|from the client", readAll.get(10, TimeUnit.SECONDS));

        target.execute(() -> {
            try {
                adopted.getSinkChannel().write(ByteBuffer.wrap("served".getBytes(StandardCharsets.US_ASCII)));
                adopted.getSinkChannel().flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] reply = client.getInputStream().readNBytes(6);
        assertEquals("served", new String(reply, StandardCharsets.US_ASCII), "the same socket, served from the target thread");
        assertEquals(1L, metrics.movedTotal());
        assertEquals(1L, metrics.movedByDirection().get("epoll->epoll"));
    }

    @Test
    void aHalfClosedConnectionIsRefusedAndKeepsItsBytes() throws Exception {
        CompletableFuture<DetachRefusal> refused = new CompletableFuture<>();
        ByteBuffer carried = ByteBuffer.wrap("kept".getBytes(StandardCharsets.US_ASCII));
        connection.getIoThread().execute(() -> {
            try {
                connection.getSinkChannel().shutdownWrites();
                connection.getSinkChannel().flush();
            } catch (Exception e) {
                refused.completeExceptionally(e);
            }
            coordinator.move(connection, otherThread(), carried, new RecordingMove() {
                @Override
                public void refused(DetachRefusal reason, ByteBuffer back) {
                    assertSame(carried, back, "the carried bytes come back to the caller");
                    refused.complete(reason);
                }
            });
        });
        assertEquals(DetachRefusal.CLOSED, refused.get(10, TimeUnit.SECONDS));
        assertEquals(Refusal.CLOSED, Refusal.of(DetachRefusal.CLOSED));
        assertEquals(0L, metrics.movedTotal());
        assertEquals(-1, client.getInputStream().read(), "still this engine's connection: its write shutdown reached the client");
    }

    @Test
    void aFailedDeliveryClosesTheConnectionAndCountsItLost() throws Exception {
        CompletableFuture<String> lost = new CompletableFuture<>();
        coordinator.move(connection, otherThread(), null, new RecordingMove() {
            @Override
            public void deliver(NativeStreamConnection adopted) {
                throw new IllegalStateException("no listener");
            }

            @Override
            public void lost(String why) {
                lost.complete(why);
            }
        });
        assertEquals("listener failed", lost.get(10, TimeUnit.SECONDS));
        assertEquals(1L, metrics.lostTotal());
        InputStream in = client.getInputStream();
        assertEquals(-1, in.read(), "the fd was closed, not leaked");
    }

    /** Fails the test on any callback a test does not expect. */
    private static class RecordingMove implements MoveCoordinator.Move {
        @Override
        public void refused(DetachRefusal reason, ByteBuffer carried) {
            throw new AssertionError("refused: " + reason);
        }

        @Override
        public void deliver(NativeStreamConnection adopted) throws Exception {
            throw new AssertionError("delivered");
        }

        @Override
        public void moved(NativeStreamConnection adopted, NativeIoThread source, long nanos) {
        }

        @Override
        public void lost(String why) {
            throw new AssertionError("lost: " + why);
        }
    }
}
