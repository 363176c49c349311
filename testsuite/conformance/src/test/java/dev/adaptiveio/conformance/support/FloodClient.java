package dev.adaptiveio.conformance.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Child process holding many concurrent client connections (run as its own JVM so the two ends of
 * 10,000 loopback connections do not share one fd limit). Protocol on stdout/stdin:
 * {@code READY n} once every connection echoed one message; on "PING" each sends another and
 * {@code PONG n} follows once all echoed; on "CLOSE" all close and {@code CLOSED} follows.
 * Any failure prints {@code ERROR ...} and exits 2.
 */
public final class FloodClient {
    private static final int MESSAGE = 8;
    private static final long DEADLINE_NANOS = System.nanoTime() + 200_000_000_000L;

    private FloodClient() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        int inflight = Integer.parseInt(args[3]);
        try {
            run(target, count, inflight);
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("ERROR " + t);
            System.out.flush();
            System.exit(2);
        }
    }

    private static final class Conn {
        final int id;
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(MESSAGE);
        int round;

        Conn(int id, SocketChannel channel) {
            this.id = id;
            this.channel = channel;
        }

        ByteBuffer message() {
            return ByteBuffer.allocate(MESSAGE).putInt(id).putInt(round).flip();
        }

        void send() throws IOException {
            ByteBuffer m = message();
            channel.write(m);
            if (m.hasRemaining()) {
                throw new IOException("8-byte write did not complete on connection " + id);
            }
        }

        /** @return true once the echo of the current round is complete and correct */
        boolean receive() throws IOException {
            if (channel.read(in) < 0) {
                throw new IOException("EOF on connection " + id + " in round " + round);
            }
            if (in.hasRemaining()) {
                return false;
            }
            in.flip();
            if (!in.equals(message())) {
                throw new IOException("wrong echo on connection " + id + " in round " + round);
            }
            in.clear();
            return true;
        }
    }

    private static void run(InetSocketAddress target, int count, int inflight) throws IOException {
        Conn[] conns = new Conn[count];
        BufferedReader control = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        try (Selector selector = Selector.open()) {
            int opened = 0;
            int echoed = 0;
            while (echoed < count) {
                while (opened < count && opened - echoed < inflight) {
                    SocketChannel ch = SocketChannel.open();
                    ch.configureBlocking(false);
                    Conn c = new Conn(opened, ch);
                    conns[opened++] = c;
                    if (ch.connect(target)) {
                        ch.register(selector, SelectionKey.OP_READ, c);
                        c.send();
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, c);
                    }
                }
                echoed += poll(selector);
            }
            say("READY " + count);
            expect(control, "PING");
            for (Conn c : conns) {
                c.round = 1;
                c.send();
            }
            for (echoed = 0; echoed < count; ) {
                echoed += poll(selector);
            }
            say("PONG " + count);
            expect(control, "CLOSE");
        } finally {
            for (Conn c : conns) {
                if (c != null) {
                    c.channel.close();
                }
            }
        }
        say("CLOSED");
    }

    private static int poll(Selector selector) throws IOException {
        if (System.nanoTime() - DEADLINE_NANOS > 0) {
            throw new IOException("client deadline passed");
        }
        selector.select(1000);
        int completed = 0;
        for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            if (key.isConnectable()) {
                c.channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                c.send();
            } else if (key.isReadable() && c.receive()) {
                completed++;
            }
        }
        return completed;
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void expect(BufferedReader control, String command) throws IOException {
        String line = control.readLine();
        if (!command.equals(line)) {
            throw new IOException("expected " + command + " on stdin, got " + line);
        }
    }
}
