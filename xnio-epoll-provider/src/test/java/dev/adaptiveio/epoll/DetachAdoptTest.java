package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.conn.ConnectionAdopter;
import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.DetachListener;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * A live connection leaves one epoll I/O thread and is served by another: the fd stays open,
 * bytes sent during the move and bytes handed back by the application arrive, and the old
 * connection's close listeners run.
 */
class DetachAdoptTest {

    private NativeXnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private final BlockingQueue<StreamConnection> accepted = new ArrayBlockingQueue<>(16);

    @BeforeEach
    void start() throws Exception {
        worker = EpollWorkers.create(2);
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), ch -> {
            try {
                StreamConnection c = ch.accept();
                if (c != null) {
                    accepted.add(c);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, OptionMap.EMPTY);
        server.resumeAccepts();
    }

    @AfterEach
    void stop() throws Exception {
        IoUtils.safeClose(server);
        worker.shutdown();
        assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static String readAvailable(StreamConnection c, int expected) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buf.position() < expected && System.nanoTime() < deadline) {
            int n = c.getSourceChannel().read(buf);
            if (n < 0) {
                break;
            }
            if (n == 0) {
                c.getSourceChannel().awaitReadable(100, TimeUnit.MILLISECONDS);
            }
        }
        buf.flip();
        return StandardCharsets.US_ASCII.decode(buf).toString();
    }

    private static void writeFully(StreamConnection c, String s) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
        while (b.hasRemaining()) {
            c.getSinkChannel().write(b);
        }
        while (!c.getSinkChannel().flush()) {
            c.getSinkChannel().awaitWritable(100, TimeUnit.MILLISECONDS);
        }
    }

    /** Open sockets of this process (class loading opens jar files meanwhile: not counted). */
    private static int openFds() {
        int sockets = 0;
        for (File f : new File("/proc/self/fd").listFiles()) {
            try {
                if (java.nio.file.Files.readSymbolicLink(f.toPath()).toString().startsWith("socket:")) {
                    sockets++;
                }
            } catch (java.io.IOException ignored) {
                // closed while listing
            }
        }
        return sockets;
    }

    @Test
    void connectionMovesToAnotherEpollThread() throws Exception {
        int fdsBefore = openFds();
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            DataInputStream in = new DataInputStream(client.getInputStream());

            StreamConnection original = accepted.poll(10, TimeUnit.SECONDS);
            NativeIoThread from = (NativeIoThread) original.getIoThread();
            NativeIoThread to = (NativeIoThread) worker.ioThreads()[from.getNumber() == 0 ? 1 : 0];
            assertNotSame(from, to);

            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello", readAvailable(original, 5));
            writeFully(original, "world");
            byte[] reply = new byte[5];
            in.readFully(reply);
            assertEquals("world", new String(reply, StandardCharsets.US_ASCII));

            AtomicInteger closeListenerRuns = new AtomicInteger();
            original.setCloseListener(c -> closeListenerRuns.incrementAndGet());
            CompletableFuture<DetachedConnection> moved = new CompletableFuture<>();
            ((NativeStreamConnection) original).detach(new DetachListener() {
                @Override
                public void detached(DetachedConnection connection) {
                    moved.complete(connection);
                }

                @Override
                public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                    moved.completeExceptionally(new AssertionError("refused: " + reason));
                }
            });
            DetachedConnection detached = moved.get(10, TimeUnit.SECONDS);
            assertEquals(EngineId.EPOLL, detached.fromEngine());
            assertEquals(1, closeListenerRuns.get(), "Undertow-style cleanup ran through the close listener");
            assertFalse(original.isOpen());

            // Bytes sent while nobody polls the fd are not lost.
            out.write("again".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Bytes the application read but did not consume come first.
            detached.carryFirst(ByteBuffer.wrap("pre-".getBytes(StandardCharsets.US_ASCII)));

            CompletableFuture<StreamConnection> adopted = new CompletableFuture<>();
            to.execute(() -> {
                try {
                    adopted.complete(((ConnectionAdopter) to).adopt(detached));
                } catch (Throwable t) {
                    adopted.completeExceptionally(t);
                }
            });
            StreamConnection next = adopted.get(10, TimeUnit.SECONDS);
            assertEquals(to, next.getIoThread());
            assertTrue(next.getIoThread() instanceof EpollIoThread);
            assertEquals("pre-again", readAvailable(next, 9));
            writeFully(next, "moved");
            in.readFully(reply);
            assertEquals("moved", new String(reply, StandardCharsets.US_ASCII));

            // Served on the new thread: the read listener runs there.
            CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
            next.getSourceChannel().setReadListener(ch -> {
                try {
                    // Consume the byte: closing with unread input would make the kernel send RST.
                    if (ch.read(ByteBuffer.allocate(8)) > 0) {
                        listenerThread.complete(Thread.currentThread());
                        ch.suspendReads();
                    }
                } catch (java.io.IOException e) {
                    listenerThread.completeExceptionally(e);
                }
            });
            next.getSourceChannel().resumeReads();
            out.write('!');
            assertEquals(to, listenerThread.get(10, TimeUnit.SECONDS));
            next.close();
            assertEquals(-1, in.read(), "closing the adopted connection closes the fd");
        }
        assertNull(accepted.poll());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (openFds() > fdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(fdsBefore, openFds(), "no socket fd leaked by the move");
    }

    @Test
    void movedConnectionIsRedeliveredThroughTheServersAcceptListener() throws Exception {
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            NativeStreamConnection original = (NativeStreamConnection) accepted.poll(10, TimeUnit.SECONDS);
            assertEquals(server, original.acceptedBy());
            NativeIoThread to = worker.ioThreads()[original.getIoThread().getNumber() == 0 ? 1 : 0];
            client.getOutputStream().write("GET".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<DetachedConnection> moved = new CompletableFuture<>();
            original.detach(new DetachListener() {
                @Override
                public void detached(DetachedConnection connection) {
                    moved.complete(connection);
                }

                @Override
                public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                    moved.completeExceptionally(new AssertionError(reason));
                }
            });
            DetachedConnection detached = moved.get(10, TimeUnit.SECONDS);
            to.execute(() -> {
                try {
                    ((dev.adaptiveio.core.server.NativeTcpServer) server).redeliver(((ConnectionAdopter) to).adopt(detached));
                } catch (java.io.IOException e) {
                    throw new RuntimeException(e);
                }
            });
            StreamConnection again = accepted.poll(10, TimeUnit.SECONDS);
            assertEquals(to, again.getIoThread(), "accepted again, on the new thread");
            assertEquals("GET", readAvailable(again, 3));
            assertEquals(1, ((dev.adaptiveio.core.server.NativeTcpServer) server).connectionCount());
            again.close();
        }
    }

    @Test
    void unadoptedConnectionIsClosedByItsHolder() throws Exception {
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            StreamConnection original = accepted.poll(10, TimeUnit.SECONDS);
            CompletableFuture<DetachedConnection> moved = new CompletableFuture<>();
            ((NativeStreamConnection) original).detach(new DetachListener() {
                @Override
                public void detached(DetachedConnection connection) {
                    moved.complete(connection);
                }

                @Override
                public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                    moved.completeExceptionally(new AssertionError(reason));
                }
            });
            DetachedConnection detached = moved.get(10, TimeUnit.SECONDS);
            detached.close();
            assertEquals(-1, client.getInputStream().read());
        }
    }

    @Test
    void halfClosedConnectionRefusesToMove() throws Exception {
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            StreamConnection original = accepted.poll(10, TimeUnit.SECONDS);
            original.getSinkChannel().shutdownWrites();
            assertTrue(original.getSinkChannel().flush());
            CompletableFuture<Object> refusal = new CompletableFuture<>();
            ((NativeStreamConnection) original).detach(new DetachListener() {
                @Override
                public void detached(DetachedConnection connection) {
                    refusal.complete("moved");
                    connection.close();
                }

                @Override
                public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                    refusal.complete(reason);
                }
            });
            assertEquals(DetachRefusal.CLOSED, refusal.get(10, TimeUnit.SECONDS));
            assertTrue(original.isOpen());
            original.close();
        }
    }
}
