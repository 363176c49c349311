package dev.adaptiveio.wildfly.arquillian;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * One persistent HTTP/1.1 connection to 127.0.0.1 over a plain socket, so the tests decide exactly when a
 * connection opens and closes (the server-side connection counts depend on it). Responses must carry a
 * Content-Length, which every endpoint of {@link TestApp} sets.
 */
final class HttpConnection implements AutoCloseable {

    static final String HOST = "127.0.0.1";

    private final int port;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private HttpConnection(int port) throws IOException {
        this.port = port;
        this.socket = new Socket();
        this.socket.connect(new InetSocketAddress(HOST, port), 5_000);
        this.socket.setSoTimeout(30_000);
        this.socket.setTcpNoDelay(true);
        this.in = this.socket.getInputStream();
        this.out = this.socket.getOutputStream();
    }

    static HttpConnection open(int port) {
        try {
            return new HttpConnection(port);
        } catch (IOException e) {
            throw new UncheckedIOException("connect to " + HOST + ":" + port, e);
        }
    }

    /** One request on a connection of its own. */
    static Response once(int port, String path) {
        try (HttpConnection connection = open(port)) {
            return connection.get(path);
        }
    }

    Response get(String path) {
        return send("GET", path, null);
    }

    Response post(String path, byte[] body) {
        return send("POST", path, body);
    }

    Response send(String method, String path, byte[] body) {
        try {
            StringBuilder head = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(HOST).append(':').append(this.port).append("\r\n");
            if (body != null) {
                head.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            this.out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                this.out.write(body);
            }
            this.out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on " + HOST + ":" + this.port, e);
        }
    }

    private Response read() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        String length = headers.get("Content-Length");
        if (length == null) {
            throw new IOException("response without Content-Length: " + statusLine + " " + headers);
        }
        byte[] body = this.in.readNBytes(Integer.parseInt(length));
        return new Response(status, headers, body);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = this.in.read(); b != -1; b = this.in.read()) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    /** The port the client side of this connection uses (the server sees 127.0.0.1:this). */
    int localPort() {
        return this.socket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            this.socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return this.headers.get(name);
        }

        String text() {
            return new String(this.body, StandardCharsets.UTF_8);
        }

        String engine() {
            return header("X-IO-Engine");
        }

        @Override
        public String toString() {
            return this.status + " " + this.headers + " " + (this.body.length <= 200 ? text() : this.body.length + " bytes");
        }
    }
}
