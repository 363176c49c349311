package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.adaptive.AdaptiveListener;
import dev.adaptiveio.adaptive.AdaptiveXnioWorker;
import dev.adaptiveio.adaptive.control.Engine;
import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Fds;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * No fd leaks: /proc/self/fd counted before and after 100,000 connections of churn (connect, send
 * 16 bytes, read the echo, close) and after the worker shut down. Both counts must return exactly
 * to their baselines (no slack): a warm-up worker cycle and a warm-up churn run first, so one-time
 * fds (class path jars, the JDK's own lazily opened files) are already open when the baselines are
 * taken.
 */
class FdLeakTest {
    static final int CHURN = 100_000;
    static final int WARM_UP = 1_000;
    static final int CLIENT_THREADS = 8;

    /** ~10 s on an idle 2-core machine; the bound leaves room for cores shared with other builds. */
    @EachProvider
    @Timeout(300)
    void noFdLeakAfter100kConnectionsAndShutdown(String provider) throws Exception {
        Problems problems = new Problems();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENT_THREADS);
        try {
            try (TestWorker w = TestWorker.start(provider); Server server = echoServer(w, problems)) {
                churn(clients, server, WARM_UP);
            }
            Map<Integer, String> beforeWorker = settledSnapshot();

            TestWorker w = TestWorker.start(provider);
            try (Server server = echoServer(w, problems)) {
                startSecondEngine(w);
                churn(clients, server, WARM_UP);
                Map<Integer, String> beforeChurn = settledSnapshot();
                // The counter sees this worker: at least its listening socket is open.
                assertTrue(beforeChurn.size() > beforeWorker.size(), "fd count does not see the live worker and server");
                long start = System.nanoTime();
                churn(clients, server, CHURN);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println(provider + ": " + CHURN + " connections of churn in " + millis + " ms");
                assertEquals(WARM_UP + CHURN, server.accepted.get(), "connections accepted");
                Map<Integer, String> afterChurn = settledSnapshot();
                assertEquals(beforeChurn.size(), afterChurn.size(),
                        () -> "fds after " + CHURN + " connections of churn: " + Fds.diff(beforeChurn, afterChurn));
            } finally {
                w.close();
            }
            Map<Integer, String> afterShutdown = settledSnapshot();
            assertEquals(beforeWorker.size(), afterShutdown.size(),
                    () -> "fds after worker shutdown: " + Fds.diff(beforeWorker, afterShutdown));
        } finally {
            clients.shutdownNow();
        }
        problems.assertNone();
    }

    /**
     * The adaptive worker opens its io_uring engine (a ring and an eventfd per I/O thread) the
     * first time a listener moves there, which the controller does when the churn's connections
     * pile up (a loaded machine): open it before the baseline, so only leaks count. A forced
     * switch there and back also starts the controller's cooldown, so the churn stays on epoll.
     */
    private static void startSecondEngine(TestWorker w) {
        if (w.worker instanceof AdaptiveXnioWorker) {
            for (AdaptiveListener listener : ((AdaptiveXnioWorker) w.worker).listeners()) {
                listener.control().forceSwitch(Engine.IO_URING);
                listener.control().forceSwitch(Engine.EPOLL);
            }
        }
    }

    private static Server echoServer(TestWorker w, Problems problems) {
        return Server.echo(w, 64, OptionMap.create(Options.BACKLOG, 1024), problems);
    }

    /** Distinct source networks per churn run: 127.N.0.x with N = 10, 11, ... */
    private static final AtomicInteger SOURCE_NETWORK = new AtomicInteger(10);

    /**
     * Runs {@code count} connections from {@link #CLIENT_THREADS} threads, then waits until the
     * server has closed every one. Each client thread binds its own loopback source address, fresh
     * for every run (127.N.0.1, 127.N.0.2, ...), so the client-closed connections left in TIME_WAIT
     * neither exhaust one address's ephemeral ports nor slow down the next run's port search.
     */
    private static void churn(ExecutorService clients, Server server, int count) throws Exception {
        int acceptedBefore = server.accepted.get();
        InetSocketAddress target = server.address();
        List<Future<?>> results = new ArrayList<>();
        int network = 10 + (SOURCE_NETWORK.getAndIncrement() - 10) % 240;
        for (int t = 0; t < CLIENT_THREADS; t++) {
            InetAddress source = InetAddress.getByAddress(new byte[] {127, (byte) network, 0, (byte) (1 + t)});
            int share = count / CLIENT_THREADS + (t < count % CLIENT_THREADS ? 1 : 0);
            long tag = ((long) t) << 40;
            results.add(clients.submit(() -> {
                byte[] echoed = new byte[16];
                for (int i = 0; i < share; i++) {
                    byte[] message = ByteBuffer.allocate(16).putLong(tag | i).putLong(~(tag | i)).array();
                    try (Socket s = new Socket()) {
                        s.setSoTimeout(10_000);
                        s.bind(new InetSocketAddress(source, 0));
                        s.connect(target, 5_000);
                        OutputStream out = s.getOutputStream();
                        out.write(message);
                        InputStream in = s.getInputStream();
                        int got = 0;
                        while (got < 16) {
                            int n = in.read(echoed, got, 16 - got);
                            if (n < 0) {
                                throw new AssertionError("EOF before the echo on connection " + i + " from " + source);
                            }
                            got += n;
                        }
                        assertArrayEquals(message, echoed, "echo");
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : results) {
            f.get(240, TimeUnit.SECONDS);
        }
        Await.until(() -> server.accepted.get() - acceptedBefore == count && server.open.isEmpty(), Duration.ofSeconds(30),
                () -> "server closed every churned connection: accepted " + (server.accepted.get() - acceptedBefore)
                        + "/" + count + ", still open " + server.open.size() + server.describeOpen());
    }

    /** A snapshot after giving the JDK's Cleaner a chance to close anything unreachable from earlier tests. */
    private static Map<Integer, String> settledSnapshot() throws InterruptedException {
        System.gc();
        Await.sleep(200);
        return Fds.stableSnapshot();
    }
}
