package dev.adaptiveio.transplant;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A raw HTTP/1.1 keep-alive client over one socket: what a load generator's connection does. */
final class HttpConn implements AutoCloseable {

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String thread() {
            return header("X-IO-Thread");
        }
    }

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final String id;

    HttpConn(int port, String id) throws IOException {
        this(new Socket("127.0.0.1", port), id);
    }

    HttpConn(Socket socket, String id) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.id = id;
    }

    static String request(String path, String id, long seq) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Conn: " + id + "\r\nX-Seq: " + seq + "\r\n\r\n";
    }

    Response get(String path) throws IOException {
        return get(path, 0);
    }

    Response get(String path, long seq) throws IOException {
        send(request(path, id, seq));
        return read();
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one response; throws on EOF before a complete one. */
    Response read() throws IOException {
        String status = line();
        if (status == null) {
            throw new java.io.EOFException("connection closed before a response");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String l;
        while ((l = line()) != null && !l.isEmpty()) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new java.io.EOFException("truncated body");
        }
        return new Response(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    /** -1 when the server closed the connection (EOF), else the next byte. */
    int readByte() throws IOException {
        return in.read();
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    /** Closes with RST instead of FIN. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
