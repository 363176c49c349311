package dev.adaptiveio.adaptive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.core.loop.NativeIoThread;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.channels.AcceptingChannel;

/** The adaptive worker over real sockets: start engine, forced switches, the shared listener. */
class AdaptiveWorkerTest {

    private AdaptiveXnioWorker worker;
    private AcceptingChannel<StreamConnection> server;
    /** Engine that served each connection, by the client's local port. */
    private final ConcurrentHashMap<Integer, String> servedBy = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        Xnio xnio = Xnio.getInstance("adaptive", AdaptiveWorkerTest.class.getClassLoader());
        assertEquals("adaptive", xnio.getName());
        worker = (AdaptiveXnioWorker) xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1));
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), echoOneByte(),
                OptionMap.create(Options.BACKLOG, 1024));
        server.resumeAccepts();
    }

    @AfterEach
    void stop() throws Exception {
        IoUtils.safeClose(server);
        worker.shutdown();
        assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** Each connection: read one byte, answer it with the first letter of the serving engine. */
    private ChannelListener<AcceptingChannel<StreamConnection>> echoOneByte() {
        return ch -> {
            try {
                StreamConnection c = ch.accept();
                if (c == null) {
                    return;
                }
                String engine = ((NativeIoThread) c.getIoThread()).engineName();
                servedBy.put(((InetSocketAddress) c.getPeerAddress()).getPort(), engine);
                c.getSourceChannel().setReadListener(src -> {
                    try {
                        ByteBuffer b = ByteBuffer.allocate(1);
                        int n = src.read(b);
                        if (n < 0) {
                            IoUtils.safeClose(c);
                        } else if (n > 0) {
                            c.getSinkChannel().write(ByteBuffer.wrap(new byte[] {(byte) engine.charAt(0)}));
                            c.getSinkChannel().flush();
                        }
                    } catch (IOException e) {
                        IoUtils.safeClose(c);
                    }
                });
                c.getSourceChannel().resumeReads();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }

    private char roundTrip() throws IOException {
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write('x');
            int r = new DataInputStream(s.getInputStream()).read();
            if (r < 0) {
                throw new IOException("connection closed without an answer");
            }
            return (char) r;
        }
    }

    /**
     * Connects until a connection is served by the wanted engine: the engines' acceptors are
     * re-armed on their own threads, and a connection the old engine had already taken from the
     * backlog when the switch happened is still served (by it), never dropped.
     */
    private char roundTripUntil(char wanted) throws IOException {
        char got = 0;
        for (int i = 0; i < 20 && got != wanted; i++) {
            got = roundTrip();
        }
        return got;
    }

    @Test
    void startsOnEpollAndMovesNewConnectionsToIoUringOnAForcedSwitch() throws Exception {
        AdaptiveListener listener = worker.listeners().get(0);
        assertEquals(Engine.EPOLL, listener.activeEngine(), listener.startDecision().reason());
        assertEquals('e', roundTrip());
        assertEquals(null, worker.ioThreads(Engine.IO_URING.id()), "io_uring is started lazily, not before it is needed");

        assumeTrue(worker.ioUring().usable(), () -> "io_uring not usable here: " + worker.ioUring().unusableReason());
        listener.control().forceSwitch(Engine.IO_URING);
        assertEquals(Engine.IO_URING, listener.activeEngine());
        assertEquals('i', roundTripUntil('i'), "new connections are served by an io_uring thread");
        listener.control().forceSwitch(Engine.EPOLL);
        assertEquals('e', roundTripUntil('e'), "and by epoll again after the switch back");
        assertEquals(2, listener.metrics().switchesByReason().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void noConnectionIsLostThroughAHundredSwitches() throws Exception {
        assumeTrue(worker.ioUring().usable(), () -> "io_uring not usable here: " + worker.ioUring().unusableReason());
        AdaptiveListener listener = worker.listeners().get(0);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger epollAnswers = new AtomicInteger();
        AtomicInteger uringAnswers = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(clients.submit(() -> {
                while (running.get()) {
                    char c = roundTrip();
                    answered.incrementAndGet();
                    (c == 'e' ? epollAnswers : uringAnswers).incrementAndGet();
                }
                return null;
            }));
        }
        try {
            for (int i = 0; i < 100; i++) {
                listener.control().forceSwitch(i % 2 == 0 ? Engine.IO_URING : Engine.EPOLL);
                Thread.sleep(10);
            }
        } finally {
            running.set(false);
            clients.shutdown();
        }
        for (Future<?> f : futures) {
            f.get(30, TimeUnit.SECONDS); // a refused, reset or unanswered connection fails here
        }
        assertTrue(answered.get() > 100, "clients kept connecting: " + answered.get());
        assertTrue(epollAnswers.get() > 0 && uringAnswers.get() > 0,
                "both engines served: epoll " + epollAnswers + ", io_uring " + uringAnswers);
    }
}
