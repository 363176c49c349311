package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import io.undertow.UndertowOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 (prior knowledge and h2c upgrade) and TLS connections never move, while a mark wants
 * every connection on the other thread; each refusal is counted by its reason.
 */
class EligibilityTest {

    private static SSLContext serverSsl;
    private TestServer server;
    private int httpsPort;

    @BeforeAll
    static void keystore(@TempDir File dir) throws Exception {
        File ks = new File(dir, "server.p12");
        Process p = new ProcessBuilder(System.getProperty("java.home") + "/bin/keytool", "-genkeypair",
                "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
                "-keystore", ks.getPath(), "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, output);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(ks)) {
            store.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "secret".toCharArray());
        serverSsl = SSLContext.getInstance("TLS");
        serverSsl.init(kmf.getKeyManagers(), null, null);
        Files.deleteIfExists(ks.toPath());
    }

    private void startServer() throws Exception {
        server = new TestServer("epoll", 2, true, b -> b
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .addHttpsListener(0, "127.0.0.1", serverSsl));
        httpsPort = ((java.net.InetSocketAddress) server.undertow.getListenerInfo().get(1).getAddress()).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void http2PriorKnowledgeNeverMoves() throws Exception {
        startServer();
        try (Socket s = new Socket("127.0.0.1", server.port)) {
            s.setSoTimeout(10_000);
            H2 h2 = new H2(s);
            String first = h2.get(1, "/who");
            String thread = first.substring(0, first.lastIndexOf(" epoll I/O-") + " epoll I/O-".length() + 1);
            server.transplant.markForMigration(null, Destination.threads(server.otherThan(thread)));
            for (int stream = 3; stream < 11; stream += 2) {
                assertTrue(h2.get(stream, "/who").startsWith(thread), "still served by " + thread);
            }
            Thread.sleep(100);
            assertEquals(0, server.transplant.metrics().movedTotal());
            assertTrue(server.transplant.metrics().refused(Refusal.HTTP2) >= 4, server.transplant.toString());
        }
    }

    @Test
    void h2cUpgradeNeverMoves() throws Exception {
        startServer();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI uri = URI.create("http://127.0.0.1:" + server.port + "/who");
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("X-Conn", "h2c").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "upgraded to h2c");
        String thread = r.headers().firstValue("X-IO-Thread").orElseThrow();
        server.transplant.markForMigration(null, Destination.threads(server.otherThan(thread)));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> next = client.send(HttpRequest.newBuilder(uri).header("X-Conn", "h2c").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(HttpClient.Version.HTTP_2, next.version());
            assertEquals(thread, next.headers().firstValue("X-IO-Thread").orElseThrow(), "the h2c connection stays");
        }
        assertEquals(0, server.transplant.metrics().movedTotal());
        assertTrue(server.transplant.metrics().refused(Refusal.HTTP2) >= 4, server.transplant.toString());
    }

    @Test
    void tlsNeverMoves() throws Exception {
        startServer();
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new TrustManager[] {new TrustAll()}, null);
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", httpsPort);
             HttpConn c = new HttpConn(s, "tls")) {
            String thread = c.get("/who", 1).thread();
            server.transplant.markForMigration(null, Destination.threads(server.otherThan(thread)));
            for (int i = 2; i < 6; i++) {
                assertEquals(thread, c.get("/who", i).thread(), "the TLS connection stays");
            }
            c.get("/move?to=" + (thread.equals(server.thread(0).getName()) ? 1 : 0), 6);
            assertEquals(MoveOutcome.Status.REFUSED,
                    server.outcomes.get("tls").toCompletableFuture().get(5, TimeUnit.SECONDS).status());
            assertEquals(thread, c.get("/who", 7).thread());
            assertEquals(0, server.transplant.metrics().movedTotal());
            assertTrue(server.transplant.metrics().refused(Refusal.TLS) >= 1, server.transplant.toString());
        }
    }

    @Test
    void webSocketUpgradeNeverMoves() throws Exception {
        startServer();
        // Wanted on an engine this worker does not have: every epoll connection is wanted elsewhere.
        server.transplant.markForMigration(null, "io_uring");
        try (HttpConn c = new HttpConn(server.port, "ws")) {
            c.send("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Conn: ws\r\n\r\n");
            assertEquals(101, c.read().status());
            server.transplant.sweep();
            for (int i = 0; i < 3; i++) {
                byte[] payload = ("hello " + i).getBytes(StandardCharsets.UTF_8);
                byte[] mask = {1, 2, 3, 4};
                ByteBuffer frame = ByteBuffer.allocate(6 + payload.length);
                frame.put((byte) 0x81).put((byte) (0x80 | payload.length)).put(mask);
                for (int j = 0; j < payload.length; j++) {
                    frame.put((byte) (payload[j] ^ mask[j % 4]));
                }
                c.socket.getOutputStream().write(frame.array());
                DataInputStream in = new DataInputStream(c.socket.getInputStream());
                assertEquals(0x81, in.readUnsignedByte());
                byte[] echo = new byte[in.readUnsignedByte()];
                in.readFully(echo);
                assertEquals("hello " + i, new String(echo, StandardCharsets.UTF_8), "the WebSocket still works");
            }
            assertEquals(0, server.transplant.metrics().movedTotal());
            assertEquals(1, server.transplant.metrics().refused(Refusal.UPGRADED), server.transplant.toString());
        }
    }

    @Test
    void plainHttp1OnTheSameServerStillMoves() throws Exception {
        startServer();
        try (HttpConn c = new HttpConn(server.port, "h1")) {
            String thread = c.get("/who", 1).thread();
            server.transplant.markForMigration(null, Destination.threads(server.otherThan(thread)));
            TestServer.await("moved", () -> server.transplant.metrics().movedTotal() == 1);
            assertEquals(server.otherThan(thread).getName(), c.get("/who", 2).thread());
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** Just enough HTTP/2 with prior knowledge: GET on a stream, read the DATA back. */
    private static final class H2 {
        private final DataInputStream in;
        private final OutputStream out;

        H2(Socket s) throws IOException {
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(4, 0, 0, new byte[0]);
        }

        private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
            b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
            b.put((byte) type).put((byte) flags).putInt(stream).put(payload);
            out.write(b.array());
            out.flush();
        }

        String get(int stream, String path) throws IOException {
            ByteBuffer h = ByteBuffer.allocate(128);
            h.put((byte) 0x82).put((byte) 0x86); // :method GET, :scheme http
            h.put((byte) 0x04).put((byte) path.length()).put(path.getBytes(StandardCharsets.US_ASCII)); // :path, not indexed
            h.put((byte) 0x01).put((byte) 9).put("localhost".getBytes(StandardCharsets.US_ASCII)); // :authority
            byte[] block = new byte[h.position()];
            h.flip().get(block);
            frame(1, 0x5, stream, block); // HEADERS, END_STREAM | END_HEADERS
            StringBuilder body = new StringBuilder();
            for (;;) {
                int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int id = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == 4 && (flags & 1) == 0) {
                    frame(4, 1, 0, new byte[0]); // SETTINGS ACK
                } else if (type == 7) {
                    throw new IOException("GOAWAY");
                } else if (id == stream && type == 0) {
                    body.append(new String(payload, StandardCharsets.UTF_8));
                    if ((flags & 1) != 0) {
                        return body.toString();
                    }
                } else if (id == stream && type == 1 && (flags & 1) != 0) {
                    return body.toString();
                }
            }
        }
    }
}
