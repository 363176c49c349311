package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * A client that sends its request and shuts down its write side at once: the FIN follows the
 * request within microseconds (usually before the server even accepts), so on an edge-triggered
 * provider the data and the EOF share one readiness event. The server must see the request, then
 * -1, and close, every time; a provider that drops the EOF leaves the connection open until an
 * idle timeout.
 */
class FinWithRequestTest {
    private static final int CONNECTIONS = 10_000;
    private static final int CLIENT_THREADS = 4;
    private static final int REQUEST = 100;
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\n\r\n".getBytes();

    /**
     * The server's read listener reads once per call, as Undertow's HTTP/1 read listener does
     * (XNIO's level-triggered contract calls it again while input is readable), into a buffer
     * larger than the request, so the read that takes the request is short. Once the request is
     * in it suspends reads, answers, and resumes reads, as Undertow does around an exchange.
     */
    @EachProvider
    void requestThenImmediateFinIsAnsweredAndClosedEveryTime(String provider) throws Exception {
        Problems problems = new Problems();
        AtomicInteger eofAfterRequest = new AtomicInteger();
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.start(w, OptionMap.create(Options.BACKLOG, 1024), problems, c -> serve(c, problems, eofAfterRequest))) {
            InetSocketAddress target = server.address();
            // Fresh loopback source addresses per run: 40,000 client ends in TIME_WAIT over the
            // four providers would exhaust one address's ephemeral ports.
            int network = ThreadLocalRandom.current().nextInt(10, 250);
            int subnet = ThreadLocalRandom.current().nextInt(1, 250);
            ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < CLIENT_THREADS; t++) {
                    InetAddress source = InetAddress.getByAddress(new byte[] {127, (byte) network, (byte) subnet, (byte) (1 + t)});
                    results.add(clients.submit(() -> {
                        for (int i = 0; i < CONNECTIONS / CLIENT_THREADS; i++) {
                            oneClient(source, target, i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : results) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            Await.until(() -> server.closed.get() == CONNECTIONS, Duration.ofSeconds(20),
                    () -> server.closed.get() + " of " + CONNECTIONS + " server connections closed; open:" + server.describeOpen());
            assertEquals(CONNECTIONS, server.accepted.get(), "accepted");
            assertEquals(CONNECTIONS, eofAfterRequest.get(), "connections whose server side read the request, then -1");
        }
        problems.assertNone();
    }

    private static void oneClient(InetAddress source, InetSocketAddress target, int i) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(target, 5_000);
            byte[] request = new byte[REQUEST];
            request[0] = (byte) i;
            s.getOutputStream().write(request);
            s.shutdownOutput();
            // A lost EOF shows here: the server answers but never closes.
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            byte[] got = new byte[RESPONSE.length];
            int n = 0;
            try {
                while (n < got.length) {
                    int r = in.read(got, n, got.length - n);
                    if (r < 0) {
                        throw new AssertionError("connection " + i + " from " + source + ": EOF after " + n + " response bytes");
                    }
                    n += r;
                }
                int end = in.read();
                if (end != -1) {
                    throw new AssertionError("connection " + i + ": a byte after the response: " + end);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("connection " + i + " from " + source + ": the server did not close within 10 s after "
                        + n + " of " + RESPONSE.length + " response bytes (its EOF was lost)");
            }
        }
    }

    private static void serve(StreamConnection c, Problems problems, AtomicInteger eofAfterRequest) {
        ConduitStreamSourceChannel source = c.getSourceChannel();
        ConduitStreamSinkChannel sink = c.getSinkChannel();
        ByteBuffer in = ByteBuffer.allocate(4096);
        source.getReadSetter().set(ch -> {
            try {
                int n = source.read(in);
                if (n < 0) {
                    if (in.position() == REQUEST) {
                        eofAfterRequest.incrementAndGet();
                    } else {
                        problems.add("EOF after " + in.position() + " of " + REQUEST + " request bytes");
                    }
                    IoUtils.safeClose(c);
                } else if (n > 0 && in.position() == REQUEST) {
                    source.suspendReads();
                    ByteBuffer out = ByteBuffer.wrap(RESPONSE);
                    sink.write(out);
                    if (out.hasRemaining() || !sink.flush()) {
                        problems.add("a " + RESPONSE.length + "-byte response did not leave at once");
                        IoUtils.safeClose(c);
                        return;
                    }
                    source.resumeReads();
                } else if (in.position() > REQUEST) {
                    problems.add(in.position() + " bytes, more than the request");
                    IoUtils.safeClose(c);
                }
            } catch (IOException e) {
                problems.add(e);
                IoUtils.safeClose(c);
            }
        });
        source.resumeReads();
    }
}
