package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.SelfSignedTls;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.ssl.JsseXnioSsl;
import org.xnio.ssl.SslConnection;

/**
 * XNIO's own TLS ({@link JsseXnioSsl}: the SSL connection and its conduits wrap the provider's
 * connection, as JBoss Remoting uses it) over each provider, server and client both on the worker
 * under test: handshake and a CRC-checked transfer both ways, StartTLS upgrade after a plain
 * exchange, and close listeners of SSL connections closed before their handshake, by the peer or by
 * a worker shutdown. Blocking I/O runs on worker task threads and the test thread, as Remoting's does.
 */
class SslConnectionTest {
    private static final int CLIENT_BYTES = 300 * 1024;
    private static final int SERVER_BYTES = 400 * 1024;
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final byte[] STARTTLS = "STARTTLS".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GO = "GO".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path keyDir;
    private static SSLContext context;

    @BeforeAll
    static void makeKey() throws Exception {
        context = SelfSignedTls.create(keyDir);
    }

    @EachProvider
    void tlsHandshakeAndTransferBothWays(String provider) throws Exception {
        transfer(provider, false);
    }

    @EachProvider
    void startTlsUpgradeThenTransferBothWays(String provider) throws Exception {
        transfer(provider, true);
    }

    @EachProvider
    void tlsClosedBeforeHandshakeIsSeenByTheServer(String provider) throws Exception {
        closedBeforeHandshake(provider, false);
    }

    @EachProvider
    void startTlsClosedBeforeHandshakeIsSeenByTheServer(String provider) throws Exception {
        closedBeforeHandshake(provider, true);
    }

    @EachProvider
    void tlsCloseListenersRunWhenTheWorkerShutsDown(String provider) throws Exception {
        closeListenersOnShutdown(provider, false);
    }

    @EachProvider
    void startTlsCloseListenersRunWhenTheWorkerShutsDown(String provider) throws Exception {
        closeListenersOnShutdown(provider, true);
    }

    // =====================================================================================

    private void transfer(String provider, boolean startTls) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); SslServer server = new SslServer(w, startTls, problems)) {
            Connected client = server.connect();
            Connected accepted = server.next();
            Payload fromClient = new Payload(17);
            Payload fromServer = new Payload(29);
            CompletableFuture<Void> served = new CompletableFuture<>();
            w.worker.execute(() -> {
                try {
                    serve(accepted.connection, startTls, fromServer);
                    served.complete(null);
                } catch (Throwable t) {
                    served.completeExceptionally(t);
                }
            });
            Bounded.run("client side of the TLS exchange on " + provider, LIMIT, () -> {
                SslConnection c = client.connection;
                long deadline = deadline();
                if (startTls) {
                    assertFalse(c.getOption(Options.SECURE), "SECURE before the upgrade");
                    writeFully(c.getSinkChannel(), ByteBuffer.wrap(STARTTLS), deadline);
                    ByteBuffer go = ByteBuffer.allocate(GO.length);
                    readFully(c.getSourceChannel(), go, deadline);
                    assertEquals("GO", new String(go.array(), StandardCharsets.US_ASCII), "plain reply before the upgrade");
                    assertNull(c.getSslSession(), "no TLS session before startHandshake()");
                    c.startHandshake();
                }
                ByteBuffer length = ByteBuffer.allocate(8).putLong(0, CLIENT_BYTES);
                writeFully(c.getSinkChannel(), length, deadline);
                sendPayload(c.getSinkChannel(), fromClient, CLIENT_BYTES, deadline);
                assertEquals(fromClient.crc(CLIENT_BYTES), readLong(c.getSourceChannel(), deadline),
                        "CRC of the client's bytes as the server received them");
                assertEquals(SERVER_BYTES, readLong(c.getSourceChannel(), deadline), "length the server announced");
                assertEquals(fromServer.crc(SERVER_BYTES), receivePayload(c.getSourceChannel(), SERVER_BYTES, deadline),
                        "CRC of the server's bytes as the client received them");
                assertNotNull(c.getSslSession(), "TLS session after the exchange");
                assertTrue(c.getSslSession().getProtocol().startsWith("TLS"), () -> "protocol " + c.getSslSession().getProtocol());
                assertTrue(c.getOption(Options.SECURE), "SECURE after the handshake");
                c.close();
            });
            assertTrue(client.closed.isDone(), "client's close listener ran in close()");
            Await.get(served, LIMIT, "server side of the TLS exchange on " + provider);
            Await.get(accepted.closed, LIMIT, "close listener of the server's SSL connection on " + provider);
            problems.assertNone();
        }
    }

    /** Server side: [STARTTLS upgrade,] read length + bytes, reply with their CRC and its own bytes, close on EOF. */
    private static void serve(SslConnection s, boolean startTls, Payload fromServer) throws IOException {
        long deadline = deadline();
        if (startTls) {
            ByteBuffer hello = ByteBuffer.allocate(STARTTLS.length);
            readFully(s.getSourceChannel(), hello, deadline);
            assertEquals("STARTTLS", new String(hello.array(), StandardCharsets.US_ASCII), "plain request before the upgrade");
            assertNull(s.getSslSession(), "no TLS session on the server before startHandshake()");
            writeFully(s.getSinkChannel(), ByteBuffer.wrap(GO), deadline);
            s.startHandshake();
        }
        long length = readLong(s.getSourceChannel(), deadline);
        assertEquals(CLIENT_BYTES, length, "length the client announced");
        long crc = receivePayload(s.getSourceChannel(), length, deadline);
        ByteBuffer header = ByteBuffer.allocate(16).putLong(crc).putLong(SERVER_BYTES).flip();
        writeFully(s.getSinkChannel(), header, deadline);
        sendPayload(s.getSinkChannel(), fromServer, SERVER_BYTES, deadline);
        assertTrue(s.getOption(Options.SECURE), "SECURE on the server after the handshake");
        // The client closes (close_notify and FIN): the server's read ends with EOF or a TLS error.
        ByteBuffer rest = ByteBuffer.allocate(1024);
        try {
            for (;;) {
                int n = s.getSourceChannel().read(rest);
                if (n < 0) {
                    break;
                }
                assertEquals(0, n, "no bytes after the exchange");
                checkDeadline(deadline, "EOF after the exchange");
                s.getSourceChannel().awaitReadable(100, TimeUnit.MILLISECONDS);
            }
        } catch (IOException closedByPeer) {
            // Also an end: the engine may report the peer's close as an SSLException.
        }
        s.close();
    }

    private void closedBeforeHandshake(String provider, boolean startTls) throws Exception {
        Problems problems = new Problems();
        try (TestWorker w = TestWorker.start(provider); SslServer server = new SslServer(w, startTls, problems)) {
            Connected client = server.connect();
            Connected accepted = server.next();
            // The server reads; the peer's close before any handshake must end its connection.
            accepted.connection.getSourceChannel().setReadListener(ch -> {
                try {
                    if (ch.read(ByteBuffer.allocate(512)) >= 0) {
                        return;
                    }
                } catch (IOException expected) {
                    // a handshake cut short may be reported as an SSLException
                }
                IoUtils.safeClose(accepted.connection);
            });
            accepted.connection.getSourceChannel().resumeReads();
            client.connection.close();
            assertTrue(client.closed.isDone(), "client's close listener ran in close()");
            Await.get(accepted.closed, LIMIT, "server's close listener after the client closed before the handshake ("
                    + provider + (startTls ? ", StartTLS)" : ", TLS)"));
            problems.assertNone();
        }
    }

    private void closeListenersOnShutdown(String provider, boolean startTls) throws Exception {
        Problems problems = new Problems();
        TestWorker w = TestWorker.start(provider);
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        try {
            SslServer server = new SslServer(w, startTls, problems);
            // One pair whose client closed before the handshake and one left open; nobody reads.
            Connected closedClient = server.connect();
            Connected closedServer = server.next();
            Connected openClient = server.connect();
            Connected openServer = server.next();
            // Only the listening channel closes here (NIO cannot close it once its thread is gone).
            server.channel.close();
            closedClient.connection.close();
            assertTrue(closedClient.closed.isDone(), "client's close listener ran in close()");
            closes.add(closedServer.closed);
            closes.add(openClient.closed);
            closes.add(openServer.closed);
            w.worker.shutdown();
            assertTrue(w.worker.awaitTermination(LIMIT.toSeconds(), TimeUnit.SECONDS), "worker terminated after shutdown()");
            String[] names = {"server side of the pair closed by its client", "open client", "open server side"};
            for (int i = 0; i < closes.size(); i++) {
                Await.get(closes.get(i), Duration.ofSeconds(10), "close listener of the " + names[i]
                        + " after worker shutdown (" + provider + (startTls ? ", StartTLS)" : ", TLS)"));
            }
            problems.assertNone();
        } finally {
            w.close();
        }
    }

    // =====================================================================================

    /** An SSL connection and the completion of its close listener. */
    private static final class Connected {
        final SslConnection connection;
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        Connected(SslConnection connection) {
            this.connection = connection;
            connection.setCloseListener(c -> closed.complete(null));
        }
    }

    /** {@code JsseXnioSsl.createSslConnectionServer} on the worker under test, and its client side. */
    private static final class SslServer implements AutoCloseable {
        final TestWorker w;
        final JsseXnioSsl ssl;
        final OptionMap options;
        final AcceptingChannel<SslConnection> channel;
        final LinkedBlockingQueue<Connected> accepted = new LinkedBlockingQueue<>();

        SslServer(TestWorker w, boolean startTls, Problems problems) throws IOException {
            this.w = w;
            this.ssl = new JsseXnioSsl(w.xnio, OptionMap.EMPTY, context);
            this.options = OptionMap.create(Options.SSL_STARTTLS, startTls);
            this.channel = ssl.createSslConnectionServer(w.worker, new InetSocketAddress(Server.LOOPBACK, 0), ch -> {
                try {
                    SslConnection c = ch.accept();
                    if (c != null) {
                        if (!w.onIoThread()) {
                            problems.add("accept listener ran on " + Thread.currentThread());
                        }
                        accepted.add(new Connected(c));
                    }
                } catch (IOException e) {
                    if (ch.isOpen()) {
                        problems.add(e);
                    }
                }
            }, options);
            channel.resumeAccepts();
        }

        Connected connect() throws IOException {
            IoFuture<SslConnection> future = ssl.openSslConnection(w.worker,
                    channel.getLocalAddress(InetSocketAddress.class), null, options);
            assertEquals(IoFuture.Status.DONE, future.await(10, TimeUnit.SECONDS), "openSslConnection on " + w.provider);
            return new Connected(future.get());
        }

        Connected next() throws InterruptedException {
            Connected c = accepted.poll(10, TimeUnit.SECONDS);
            assertNotNull(c, "SSL connection accepted on " + w.provider);
            return c;
        }

        @Override
        public void close() {
            IoUtils.safeClose(channel);
            Connected c;
            while ((c = accepted.poll()) != null) {
                IoUtils.safeClose(c.connection);
            }
        }
    }

    // ---- blocking I/O with deadlines (never untimed: a stuck provider must fail, not hang)

    private static long deadline() {
        return System.nanoTime() + LIMIT.toNanos();
    }

    private static void checkDeadline(long deadline, String what) {
        if (System.nanoTime() - deadline > 0) {
            throw new AssertionError("not within " + LIMIT.toSeconds() + " s: " + what);
        }
    }

    private static void writeFully(StreamSinkChannel sink, ByteBuffer buffer, long deadline) throws IOException {
        while (buffer.hasRemaining()) {
            if (sink.write(buffer) == 0) {
                checkDeadline(deadline, "write");
                sink.awaitWritable(100, TimeUnit.MILLISECONDS);
            }
        }
        while (!sink.flush()) {
            checkDeadline(deadline, "flush");
            sink.awaitWritable(100, TimeUnit.MILLISECONDS);
        }
    }

    private static void readFully(StreamSourceChannel source, ByteBuffer buffer, long deadline) throws IOException {
        while (buffer.hasRemaining()) {
            int n = source.read(buffer);
            if (n < 0) {
                throw new EOFException("EOF with " + buffer.remaining() + " bytes still expected");
            }
            if (n == 0) {
                checkDeadline(deadline, "read");
                source.awaitReadable(100, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static long readLong(StreamSourceChannel source, long deadline) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        readFully(source, b, deadline);
        return b.getLong(0);
    }

    private static void sendPayload(StreamSinkChannel sink, Payload payload, long length, long deadline) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        for (long pos = 0; pos < length; ) {
            int n = (int) Math.min(chunk.capacity(), length - pos);
            chunk.clear();
            payload.put(chunk, n, pos);
            chunk.flip();
            writeFully(sink, chunk, deadline);
            pos += n;
        }
    }

    private static long receivePayload(StreamSourceChannel source, long length, long deadline) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(16 * 1024);
        for (long got = 0; got < length; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), length - got));
            readFully(source, chunk, deadline);
            chunk.flip();
            crc.update(chunk);
            got += chunk.limit();
        }
        return crc.getValue();
    }
}
