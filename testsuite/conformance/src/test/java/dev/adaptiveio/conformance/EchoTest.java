package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.Channels;

/** Echo through a server of the provider, with plain java.net.Socket clients and with the provider's own outbound connections. */
class EchoTest {
    private static final int CLIENTS = 16;
    private static final int ROUNDS = 32;
    private static final int CHUNK = 4096;

    @EachProvider
    void plainSocketClients(String provider) throws Exception {
        Problems problems = new Problems();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (TestWorker w = TestWorker.start(provider); Server server = Server.echo(w, 8192, OptionMap.EMPTY, problems)) {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                results.add(clients.submit(() -> {
                    echoOverSocket(server.address(), new Payload(id));
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            Await.until(() -> server.closed.get() == CLIENTS, Duration.ofSeconds(10),
                    () -> "server closed " + server.closed + "/" + CLIENTS + " connections after the clients' EOF");
            assertEquals(CLIENTS, server.accepted.get(), "accepted connections");
            problems.assertNone();
        } finally {
            clients.shutdownNow();
        }
    }

    /** Ping-pong in chunks of varying size, then half-close: the server echoes the rest and closes. */
    static void echoOverSocket(InetSocketAddress address, Payload payload) throws Exception {
        try (Socket s = new Socket()) {
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            s.connect(address, 5_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            long position = 0;
            for (int r = 0; r < ROUNDS; r++) {
                int len = 1 + (r * 997) % CHUNK;
                byte[] sent = new byte[len];
                payload.fill(sent, 0, len, position);
                position += len;
                out.write(sent);
                out.flush();
                byte[] echoed = new byte[len];
                in.readFully(echoed);
                assertArrayEquals(sent, echoed, "echo of round " + r);
            }
            s.shutdownOutput();
            assertEquals(-1, in.read(), "server must close after echoing everything following the client's EOF");
        }
    }

    @EachProvider
    void providerOutboundClient(String provider) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); Server server = Server.echo(w, 8192, OptionMap.EMPTY, problems)) {
            CompletableFuture<Thread> openedOn = new CompletableFuture<>();
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(server.address(),
                    c -> openedOn.complete(Thread.currentThread()), OptionMap.EMPTY);
            assertEquals(IoFuture.Status.DONE, future.await(10, TimeUnit.SECONDS), "outbound connect status");
            try (StreamConnection c = future.get()) {
                assertSame(c.getIoThread(), Await.get(openedOn, Duration.ofSeconds(10), "open listener"),
                        "open listener must run on the connection's I/O thread");
                assertSame(w.worker, c.getWorker());
                assertEquals(server.address(), c.getPeerAddress(InetSocketAddress.class));
                // Blocking use from this (non-I/O) thread: Channels.*Blocking wait with awaitReadable/awaitWritable.
                Payload payload = new Payload(99);
                long position = 0;
                for (int r = 0; r < ROUNDS; r++) {
                    int len = 1 + (r * 1999) % (4 * CHUNK);
                    byte[] sent = new byte[len];
                    payload.fill(sent, 0, len, position);
                    position += len;
                    ByteBuffer out = ByteBuffer.wrap(sent);
                    while (out.hasRemaining()) {
                        Channels.writeBlocking(c.getSinkChannel(), out, 10, TimeUnit.SECONDS);
                    }
                    Bounded.flush(c.getSinkChannel(), Duration.ofSeconds(10));
                    ByteBuffer in = ByteBuffer.allocate(len);
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (in.hasRemaining()) {
                        int n = Channels.readBlocking(c.getSourceChannel(), in, 1, TimeUnit.SECONDS);
                        assertTrue(n >= 0, "unexpected EOF in round " + r);
                        assertTrue(System.nanoTime() < deadline, "echo of round " + r + " did not arrive");
                    }
                    assertArrayEquals(sent, in.array(), "echo of round " + r);
                }
                c.getSinkChannel().shutdownWrites();
                Bounded.flush(c.getSinkChannel(), Duration.ofSeconds(10));
                ByteBuffer rest = ByteBuffer.allocate(1);
                assertEquals(-1, Channels.readBlocking(c.getSourceChannel(), rest, 10, TimeUnit.SECONDS),
                        "EOF after the server echoed and closed");
            }
            problems.assertNone();
        }
    }
}
