package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * More connections ready in one epoll iteration than {@link EpollIoThread#FLUSH_CHUNK}: the loop
 * sends what each chunk of ready connections gathered, after the work that chunk queued (the way
 * Undertow queues a pipelined re-parse), before it dispatches the next chunk; the last, partial
 * chunk leaves at the iteration's end. Every connection gets its two responses once and in order.
 */
class EpollChunkedFlushTest {

    private static final int CHUNK = EpollIoThread.FLUSH_CHUNK;
    /** Three whole chunks and a partial one. */
    private static final int CONNECTIONS = 3 * CHUNK + 8;
    /** Each client sends its index as 3 digits and a newline. */
    private static final int REQUEST = 4;
    /** "a017\n" at dispatch, "b017\n" from a task the dispatch queued. */
    private static final int RESPONSES = 10;

    private XnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    private final Socket[] clients = new Socket[CONNECTIONS];
    /** Client index of each dispatch, in dispatch order; the I/O thread's only. */
    private final List<Integer> dispatched = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final CountDownLatch accepted = new CountDownLatch(CONNECTIONS);
    private final CountDownLatch answered = new CountDownLatch(CONNECTIONS);

    @BeforeEach
    void start() throws Exception {
        // one I/O thread, so every connection is ready in the same loop
        worker = EpollWorkers.create(1);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket c : clients) {
            IoUtils.safeClose(c);
        }
        IoUtils.safeClose(server);
        worker.shutdown();
        assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminates");
    }

    @Test
    void eachChunkLeavesBeforeTheNextIsDispatched() throws Exception {
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), acceptor(), OptionMap.EMPTY);
        server.resumeAccepts();
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        for (int i = 0; i < CONNECTIONS; i++) {
            clients[i] = new Socket(address.getAddress(), address.getPort());
            clients[i].setSoTimeout(10_000);
        }
        assertTrue(accepted.await(10, TimeUnit.SECONDS), "all connections accepted, reads resumed");

        // Hold the I/O thread while every client sends, so the next epoll_wait reports them all.
        XnioIoThread ioThread = worker.getIoThread();
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ioThread.execute(() -> {
            holding.countDown();
            awaitQuietly(release);
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS), "I/O thread held");
        for (int i = 0; i < CONNECTIONS; i++) {
            clients[i].getOutputStream().write(String.format(Locale.ROOT, "%03d\n", i).getBytes(StandardCharsets.US_ASCII));
        }
        awaitQueued(address.getPort());
        release.countDown();

        assertTrue(answered.await(10, TimeUnit.SECONDS), () -> "every request dispatched; " + problems());
        for (int i = 0; i < CONNECTIONS; i++) {
            byte[] got = new byte[RESPONSES];
            new DataInputStream(clients[i].getInputStream()).readFully(got);
            assertEquals(String.format(Locale.ROOT, "a%03d\nb%03d\n", i, i), new String(got, StandardCharsets.US_ASCII),
                    "connection " + i);
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            assertEquals(0, clients[i].getInputStream().available(), "connection " + i + " got more than its responses");
        }
        assertTrue(problems.isEmpty(), this::problems);
    }

    private String problems() {
        return problems.size() + " problem(s), the first: " + problems.stream().limit(3).toList();
    }

    /**
     * Runs on the I/O thread at each dispatch, before it writes: at the last dispatch of the first
     * chunk nothing of that chunk has left yet (gathered); at the first dispatch of the second,
     * every connection of the first chunk has both of its responses (its tasks ran, then it sent).
     */
    private void checkChunkEdges(int dispatch) {
        if (dispatch == CHUNK - 1) {
            int first = dispatched.get(0);
            int available = available(first);
            if (available != 0) {
                problems.add("connection " + first + " had " + available + " bytes before its chunk ended");
            }
        } else if (dispatch == CHUNK) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int j = 0; j < CHUNK; j++) {
                int client = dispatched.get(j);
                // the send has returned; loopback delivery normally has too, but may lag in softirq
                while (available(client) < RESPONSES && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (available(client) != RESPONSES) {
                    problems.add("connection " + client + " of the first chunk had " + available(client) + " of "
                            + RESPONSES + " bytes when the second chunk began");
                }
            }
        }
    }

    private int available(int client) {
        try {
            return clients[client].getInputStream().available();
        } catch (IOException e) {
            return -1;
        }
    }

    private ChannelListener<AcceptingChannel<StreamConnection>> acceptor() {
        return channel -> {
            try {
                StreamConnection c;
                while ((c = channel.accept()) != null) {
                    serve(c);
                    accepted.countDown();
                }
            } catch (IOException e) {
                problems.add("accept: " + e);
            }
        };
    }

    private void serve(StreamConnection c) {
        ConduitStreamSourceChannel in = c.getSourceChannel();
        ConduitStreamSinkChannel out = c.getSinkChannel();
        ByteBuffer request = ByteBuffer.allocate(REQUEST);
        in.setReadListener(ch -> {
            try {
                int n;
                while ((n = ch.read(request)) > 0) {
                    if (request.hasRemaining()) {
                        continue;
                    }
                    int client = Integer.parseInt(new String(request.array(), 0, 3, StandardCharsets.US_ASCII));
                    request.clear();
                    checkChunkEdges(dispatched.size());
                    dispatched.add(client);
                    respond(out, 'a', client);
                    c.getIoThread().execute(() -> {
                        respond(out, 'b', client);
                        answered.countDown();
                    });
                }
                if (n == -1) {
                    IoUtils.safeClose(c);
                }
            } catch (IOException e) {
                problems.add("read: " + e);
                IoUtils.safeClose(c);
            }
        });
        in.resumeReads();
    }

    private void respond(ConduitStreamSinkChannel out, char kind, int client) {
        ByteBuffer response = ByteBuffer.wrap(String.format(Locale.ROOT, "%c%03d\n", kind, client)
                .getBytes(StandardCharsets.US_ASCII));
        try {
            while (response.hasRemaining()) {
                if (out.write(response) == 0) {
                    problems.add("connection " + client + " refused " + kind + " with an empty socket");
                    return;
                }
            }
            if (!out.flush()) {
                problems.add("connection " + client + " could not flush " + kind);
            }
        } catch (IOException e) {
            problems.add("write " + kind + " " + client + ": " + e);
        }
    }

    /** Waits until the kernel holds unread bytes on every accepted socket of the port. */
    private static void awaitQueued(int port) throws Exception {
        String local = String.format(Locale.ROOT, ":%04X", port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int queued = 0;
        while (System.nanoTime() < deadline) {
            queued = 0;
            for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    // "sl local rem st tx_queue:rx_queue ...": established (01) server-side sockets
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 4 && f[1].endsWith(local) && f[3].equals("01")
                            && Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16) > 0) {
                        queued++;
                    }
                }
            }
            if (queued == CONNECTIONS) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError(queued + " of " + CONNECTIONS + " server sockets hold the request");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
