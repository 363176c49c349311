package dev.adaptiveio.uring;

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

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.ConnectionAdopter;
import dev.adaptiveio.core.conn.DetachRefusal;
import dev.adaptiveio.core.conn.DetachListener;
import dev.adaptiveio.core.conn.DetachedConnection;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.channels.AcceptingChannel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A live connection moves between the engines through the core's detach/adopt SPI, both ways:
 * the fd stays open, bytes that arrive during the move (and bytes io_uring had already received
 * but nobody consumed) reach the adopting engine first, and the next request is served there.
 */
class CrossEngineAdoptTest {

    private NativeXnioWorker epoll;
    private NativeXnioWorker uring;
    private final BlockingQueue<StreamConnection> accepted = new ArrayBlockingQueue<>(16);

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio e = Xnio.getInstance("epoll", getClass().getClassLoader());
        Xnio u = Xnio.getInstance("io_uring", getClass().getClassLoader());
        assertEquals("epoll", e.getName());
        assertEquals("io_uring", u.getName());
        epoll = (NativeXnioWorker) e.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        uring = (NativeXnioWorker) u.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
    }

    @AfterEach
    void stop() throws Exception {
        for (NativeXnioWorker w : new NativeXnioWorker[] {epoll, uring}) {
            if (w != null) {
                w.shutdown();
                assertTrue(w.awaitTermination(10, TimeUnit.SECONDS), w + " terminates");
            }
        }
    }

    private AcceptingChannel<StreamConnection> listen(NativeXnioWorker worker) throws Exception {
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress("127.0.0.1", 0), ch -> {
                    try {
                        StreamConnection c = ch.accept();
                        if (c != null) {
                            accepted.add(c);
                        }
                    } catch (Exception ex) {
                        throw new RuntimeException(ex);
                    }
                }, OptionMap.EMPTY);
        server.resumeAccepts();
        return server;
    }

    private static String readFully(StreamConnection c, int expected) throws Exception {
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
            if (c.getSinkChannel().write(b) == 0) {
                c.getSinkChannel().awaitWritable(100, TimeUnit.MILLISECONDS);
            }
        }
        while (!c.getSinkChannel().flush()) {
            c.getSinkChannel().awaitWritable(100, TimeUnit.MILLISECONDS);
        }
    }

    private static DetachedConnection detach(StreamConnection c) throws Exception {
        CompletableFuture<DetachedConnection> moved = new CompletableFuture<>();
        ((NativeStreamConnection) c).detach(new DetachListener() {
            @Override
            public void detached(DetachedConnection connection) {
                moved.complete(connection);
            }

            @Override
            public void refused(NativeStreamConnection connection, DetachRefusal reason, Throwable cause) {
                moved.completeExceptionally(new AssertionError("refused: " + reason));
            }
        });
        return moved.get(10, TimeUnit.SECONDS);
    }

    private static StreamConnection adopt(NativeIoThread to, DetachedConnection detached) throws Exception {
        CompletableFuture<StreamConnection> adopted = new CompletableFuture<>();
        to.execute(() -> {
            try {
                adopted.complete(((ConnectionAdopter) to).adopt(detached));
            } catch (Throwable t) {
                adopted.completeExceptionally(t);
            }
        });
        return adopted.get(10, TimeUnit.SECONDS);
    }

    /** Every I/O thread has run its first task: rings and epoll sets exist before fds are looked at. */
    private void settle() throws Exception {
        for (NativeXnioWorker w : new NativeXnioWorker[] {epoll, uring}) {
            for (NativeIoThread t : w.ioThreads()) {
                CompletableFuture<Void> ran = new CompletableFuture<>();
                t.execute(() -> ran.complete(null));
                ran.get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Sockets this process holds, by kernel inode (fd numbers get reused; inodes do not). */
    private static java.util.Set<String> sockets() {
        java.util.Set<String> set = new java.util.HashSet<>();
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds != null) {
            for (File f : fds) {
                try {
                    String target = java.nio.file.Files.readSymbolicLink(f.toPath()).toString();
                    if (target.startsWith("socket:")) {
                        set.add(target);
                    }
                } catch (java.io.IOException ignored) {
                    // closed while listing
                }
            }
        }
        return set;
    }

    private static void awaitSockets(java.util.Set<String> before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!before.containsAll(sockets()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        java.util.Set<String> leaked = sockets();
        leaked.removeAll(before);
        assertEquals(java.util.Set.of(), leaked, "sockets left open after the moved connection closed");
    }

    /** Request "GET n\n", response "OK n\n": the next request after the move is served by the new engine. */
    private static void serveOne(StreamConnection c, OutputStream clientOut, DataInputStream clientIn, int n)
            throws Exception {
        String request = "GET " + n + "\n";
        clientOut.write(request.getBytes(StandardCharsets.US_ASCII));
        clientOut.flush();
        assertEquals(request, readFully(c, request.length()));
        String response = "OK " + n + "\n";
        writeFully(c, response);
        byte[] reply = new byte[response.length()];
        clientIn.readFully(reply);
        assertEquals(response, new String(reply, StandardCharsets.US_ASCII));
    }

    @Test
    void epollConnectionIsAdoptedByIoUringAndServesTheNextRequest() throws Exception {
        AcceptingChannel<StreamConnection> server = listen(epoll);
        settle();
        java.util.Set<String> socketsBefore = sockets();
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            DataInputStream in = new DataInputStream(client.getInputStream());
            StreamConnection original = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(original);
            assertEquals("epoll", ((NativeStreamConnection) original).engineName());
            serveOne(original, out, in, 1);

            AtomicInteger closeListenerRuns = new AtomicInteger();
            original.setCloseListener(ch -> closeListenerRuns.incrementAndGet());
            DetachedConnection detached = detach(original);
            assertEquals(EngineId.EPOLL, detached.fromEngine());
            assertEquals(1, closeListenerRuns.get());
            assertFalse(original.isOpen());

            // The next request starts while nobody serves the fd.
            out.write("GET 2\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            NativeIoThread to = uring.ioThreads()[0];
            StreamConnection next = adopt(to, detached);
            assertInstanceOf(UringIoThread.class, next.getIoThread());
            assertInstanceOf(UringStreamConnection.class, next);
            assertEquals("io_uring", ((NativeStreamConnection) next).engineName());
            assertEquals("GET 2\n", readFully(next, 6));
            writeFully(next, "OK 2\n");
            byte[] reply = new byte[5];
            in.readFully(reply);
            assertEquals("OK 2\n", new String(reply, StandardCharsets.US_ASCII));
            serveOne(next, out, in, 3);

            // Served by io_uring's completions: a read listener runs on the io_uring thread.
            CompletableFuture<Thread> listenerThread = new CompletableFuture<>();
            next.getSourceChannel().setReadListener(ch -> {
                try {
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
            assertSame(to, listenerThread.get(10, TimeUnit.SECONDS));
            next.close();
            assertEquals(-1, in.read(), "closing the adopted connection closes the fd");
        }
        server.close();
        awaitSockets(socketsBefore);
    }

    @Test
    void ioUringConnectionIsAdoptedByEpollWithTheBytesItHadReceived() throws Exception {
        AcceptingChannel<StreamConnection> server = listen(uring);
        settle();
        java.util.Set<String> socketsBefore = sockets();
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            DataInputStream in = new DataInputStream(client.getInputStream());
            StreamConnection original = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(original);
            assertInstanceOf(UringStreamConnection.class, original);
            serveOne(original, out, in, 1);

            // A pipelined request lands in io_uring's receive buffer before the move; nobody reads it.
            out.write("GET 2\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            original.getSourceChannel().awaitReadable(10, TimeUnit.SECONDS);

            DetachedConnection detached = detach(original);
            assertEquals(EngineId.IO_URING, detached.fromEngine());
            assertEquals(6, detached.carriedBytes(), "received-but-unread bytes travel with the connection");
            assertFalse(original.isOpen());

            out.write("GET 3\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            NativeIoThread to = epoll.ioThreads()[0];
            StreamConnection next = adopt(to, detached);
            assertEquals("epoll", ((NativeStreamConnection) next).engineName());
            assertEquals("GET 2\nGET 3\n", readFully(next, 12));
            writeFully(next, "OK 2\nOK 3\n");
            byte[] reply = new byte[10];
            in.readFully(reply);
            assertEquals("OK 2\nOK 3\n", new String(reply, StandardCharsets.US_ASCII));
            serveOne(next, out, in, 4);
            next.close();
            assertEquals(-1, in.read());
        }
        server.close();
        awaitSockets(socketsBefore);
    }

    @Test
    void connectionGoesToEpollAndComesBackToIoUring() throws Exception {
        AcceptingChannel<StreamConnection> server = listen(uring);
        settle();
        java.util.Set<String> socketsBefore = sockets();
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.getLocalAddress()).getPort())) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            DataInputStream in = new DataInputStream(client.getInputStream());
            StreamConnection c = accepted.poll(10, TimeUnit.SECONDS);
            for (int round = 0; round < 6; round++) {
                serveOne(c, out, in, round);
                NativeXnioWorker target = round % 2 == 0 ? epoll : uring;
                c = adopt(target.ioThreads()[0], detach(c));
                assertEquals(target == epoll ? "epoll" : "io_uring", ((NativeStreamConnection) c).engineName());
            }
            serveOne(c, out, in, 99);
            c.close();
            assertEquals(-1, in.read());
        }
        server.close();
        awaitSockets(socketsBefore);
    }
}
