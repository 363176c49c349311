package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Payload;
import dev.adaptiveio.conformance.support.TestWorker;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undertow's {@code ResourceHandler} serving static files (it sends them with
 * {@code transferFrom(FileChannel)} once the headers are written) over one keep-alive connection:
 * every response complete and in order, on the provider under test.
 */
class UndertowFileServingTest {

    @TempDir
    Path dir;

    @EachProvider
    void servesFilesOverKeepAlive(String provider) throws Exception {
        byte[] small = content(64 * 1024, 21);
        byte[] large = content(3 * 1024 * 1024, 22);
        Files.write(dir.resolve("small.bin"), small);
        Files.write(dir.resolve("large.bin"), large);
        Set<String> servingThreads = ConcurrentHashMap.newKeySet();
        HttpHandler files = new ResourceHandler(new PathResourceManager(dir));
        HttpHandler recording = exchange -> {
            servingThreads.add(Thread.currentThread().getClass().getName());
            files.handleRequest(exchange);
        };
        try (TestWorker w = TestWorker.start(provider)) {
            Undertow server = Undertow.builder()
                    .setWorker(w.worker)
                    .addHttpListener(0, "127.0.0.1")
                    .setHandler(recording)
                    .build();
            server.start();
            try (Socket client = new Socket()) {
                InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
                client.setSoTimeout(30_000);
                client.connect(address, 5_000);
                OutputStream out = client.getOutputStream();
                InputStream in = new BufferedInputStream(client.getInputStream());
                for (int round = 0; round < 3; round++) {
                    for (String name : new String[] {"small.bin", "large.bin", "small.bin"}) {
                        byte[] expected = name.equals("small.bin") ? small : large;
                        out.write(("GET /" + name + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        byte[] body = readResponse(in, name + " in round " + round + " on " + provider);
                        assertEquals(expected.length, body.length, "length of " + name);
                        assertEquals(crc(expected), crc(body), "CRC of " + name + " in round " + round + " on " + provider);
                    }
                }
            } finally {
                server.stop();
            }
        }
        assertFalse(servingThreads.isEmpty(), "no request reached the handler");
        for (String thread : servingThreads) {
            assertTrue(thread.startsWith(expectedThreadPrefix(provider)),
                    "served on " + thread + ", not an I/O thread of " + provider);
        }
    }

    private static String expectedThreadPrefix(String provider) {
        switch (provider) {
            case "nio":
                return "org.xnio.nio.";
            case "epoll":
                return "dev.adaptiveio.epoll.";
            case "io_uring":
                return "dev.adaptiveio.uring.";
            default:
                return "dev.adaptiveio.";
        }
    }

    /** Reads one response (status 200, Content-Length framed) and returns its body. */
    private static byte[] readResponse(InputStream in, String what) throws IOException {
        String status = line(in);
        assertTrue(status.startsWith("HTTP/1.1 200"), "status of " + what + ": " + status);
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            assertFalse(lower.startsWith("connection: close"), "the server closes the connection after " + what);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(header.substring("content-length:".length()).trim());
            }
        }
        assertTrue(length >= 0, "no Content-Length in " + what);
        byte[] body = in.readNBytes((int) length);
        assertEquals(length, body.length, "body of " + what + " ended early");
        return body;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed in a header line: " + line);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Payload(seed).fill(bytes, 0, size, 0);
        return bytes;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
