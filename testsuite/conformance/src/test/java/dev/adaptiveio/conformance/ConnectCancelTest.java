package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Fds;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * Cancelling {@code openStreamConnection}: the future reports CANCELLED at once (as NIO's does),
 * the socket is closed (no fd, no SYN_SENT socket left), and no open listener runs. The pending
 * connect targets a loopback listener whose accept queue is full: Linux drops further SYNs there,
 * so the connect stays in SYN_SENT (for about two minutes) until it is cancelled.
 */
class ConnectCancelTest {

    @EachProvider
    void cancellingAPendingConnectClosesItsSocket(String provider) throws Exception {
        List<SocketChannel> fillers = new ArrayList<>();
        try (TestWorker w = TestWorker.start(provider); ServerSocket full = new ServerSocket(0, 1, Server.LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(Server.LOOPBACK, full.getLocalPort());
            fillAcceptQueue(target, fillers);
            assertEquals(0, synSentTo(target.getPort()), "SYN_SENT sockets to the full listener before the test");
            Map<Integer, String> baseline = Fds.stableSnapshot();

            AtomicInteger opened = new AtomicInteger();
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(target, c -> opened.incrementAndGet(), OptionMap.EMPTY);
            Await.until(() -> synSentTo(target.getPort()) == 1, Duration.ofSeconds(5), "the provider's connect in SYN_SENT");
            assertEquals(IoFuture.Status.WAITING, future.getStatus(), "connect to a full accept queue stays pending");

            assertEquals(IoFuture.Status.CANCELLED, future.cancel().getStatus(), "status right after cancel()");
            assertEquals(IoFuture.Status.CANCELLED, future.await(5, TimeUnit.SECONDS));
            assertThrows(CancellationException.class, future::get);
            Await.until(() -> synSentTo(target.getPort()) == 0, Duration.ofSeconds(5),
                    () -> "SYN_SENT sockets to the full listener after cancel(): " + synSentTo(target.getPort()));
            awaitNoNewFds(baseline, "cancel()");
            Await.sleep(100);
            assertEquals(0, opened.get(), "open listener of a cancelled connect");
        } finally {
            fillers.forEach(IoUtils::safeClose);
        }
    }

    /** A worker shut down with a connect pending ends it CANCELLED (as NIO does) and closes its socket. */
    @EachProvider
    void shutdownEndsAPendingConnectCancelled(String provider) throws Exception {
        List<SocketChannel> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, Server.LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(Server.LOOPBACK, full.getLocalPort());
            fillAcceptQueue(target, fillers);
            TestWorker.load(provider); // the provider's classes and natives, before the baseline
            Map<Integer, String> baseline = Fds.stableSnapshot();
            TestWorker w = TestWorker.start(provider);
            AtomicInteger opened = new AtomicInteger();
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(target, c -> opened.incrementAndGet(), OptionMap.EMPTY);
            Await.until(() -> synSentTo(target.getPort()) == 1, Duration.ofSeconds(5), "the provider's connect in SYN_SENT");
            w.close(); // shutdown() and awaitTermination(20 s), asserted
            assertEquals(IoFuture.Status.CANCELLED, future.await(5, TimeUnit.SECONDS), "pending connect after the worker terminated");
            Await.until(() -> synSentTo(target.getPort()) == 0, Duration.ofSeconds(5), "SYN_SENT sockets after shutdown");
            awaitNoNewFds(baseline, "the worker's termination");
            assertEquals(0, opened.get(), "open listener of a connect ended by shutdown");
        } finally {
            fillers.forEach(IoUtils::safeClose);
        }
    }

    /**
     * cancel() racing connects that complete at once on loopback: each future ends DONE (the open
     * listener ran, the connection works) or CANCELLED (no listener, nothing left open); no fd stays.
     */
    @EachProvider
    void cancelRacingACompletedConnect(String provider) throws Exception {
        int attempts = 300;
        try (TestWorker w = TestWorker.start(provider); ServerSocket listener = new ServerSocket(0, attempts + 10, Server.LOOPBACK)) {
            InetSocketAddress target = new InetSocketAddress(Server.LOOPBACK, listener.getLocalPort());
            Thread acceptor = new Thread(() -> {
                try {
                    for (;;) {
                        listener.accept().close();
                    }
                } catch (IOException closed) {
                    // the listener closed: the test is over
                }
            }, "connect-cancel-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            // Warm up (first connect loads classes) before the fd baseline.
            IoFuture<StreamConnection> warm = w.worker.openStreamConnection(target, null, OptionMap.EMPTY);
            assertEquals(IoFuture.Status.DONE, warm.await(10, TimeUnit.SECONDS));
            IoUtils.safeClose(warm.get());
            Await.sleep(100);
            Map<Integer, String> baseline = Fds.stableSnapshot();

            AtomicInteger opened = new AtomicInteger();
            List<IoFuture<StreamConnection>> futures = new ArrayList<>();
            for (int i = 0; i < attempts; i++) {
                IoFuture<StreamConnection> f = w.worker.openStreamConnection(target, c -> opened.incrementAndGet(), OptionMap.EMPTY);
                if (i % 3 == 1) {
                    Thread.onSpinWait(); // vary the moment of the race a little
                }
                f.cancel();
                futures.add(f);
            }
            int done = 0;
            int cancelled = 0;
            for (IoFuture<StreamConnection> f : futures) {
                IoFuture.Status s = f.await(10, TimeUnit.SECONDS);
                if (s == IoFuture.Status.DONE) {
                    done++;
                    StreamConnection c = f.get();
                    assertTrue(c.isOpen(), "a connect that won the race is open");
                    IoUtils.safeClose(c);
                } else if (s == IoFuture.Status.CANCELLED) {
                    cancelled++;
                } else {
                    fail("connect cancelled in a race ended " + s + (s == IoFuture.Status.FAILED ? ": " + f.getException() : ""));
                }
            }
            int expectedOpened = done;
            Await.until(() -> opened.get() == expectedOpened, Duration.ofSeconds(5),
                    () -> "open listener calls " + opened.get() + " for " + expectedOpened + " connects that ended DONE");
            assertEquals(attempts, done + cancelled);
            assertTrue(cancelled > 0, "no cancel() of " + attempts + " won against a loopback connect");
            String counts = done + " done / " + cancelled + " cancelled connects";
            awaitNoNewFds(baseline, counts);
            System.out.println("[" + provider + "] cancel race: " + done + " done, " + cancelled + " cancelled");
        }
    }

    /**
     * Connects one socket after another (each handshake finishing before the next SYN) until one
     * stays pending: the accept queue is full from then on. The pending one is closed again.
     */
    private static void fillAcceptQueue(InetSocketAddress target, List<SocketChannel> fillers) throws Exception {
        for (int i = 0; i < 16; i++) {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            if (ch.connect(target)) {
                fillers.add(ch);
                continue;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            boolean connected = false;
            while (System.nanoTime() - deadline < 0 && !(connected = ch.finishConnect())) {
                Thread.sleep(5);
            }
            if (connected) {
                fillers.add(ch);
            } else {
                ch.close();
                Await.until(() -> synSentTo(target.getPort()) == 0, Duration.ofSeconds(5), "filler's SYN_SENT socket gone");
                return;
            }
        }
        fail("the accept queue of a listener with backlog 1 never filled up");
    }

    /**
     * Waits until every fd open now was open at {@code baseline} too. (Fewer is fine: stock NIO
     * closes a cancelled channel's fd only at its selector's next select.)
     */
    static void awaitNoNewFds(Map<Integer, String> baseline, String after) {
        Await.until(() -> newFds(baseline).isEmpty(), Duration.ofSeconds(10),
                () -> "fds opened and still open after " + after + ": " + newFds(baseline));
    }

    private static Map<Integer, String> newFds(Map<Integer, String> baseline) {
        Map<Integer, String> added = new java.util.TreeMap<>(Fds.snapshot());
        added.entrySet().removeIf(e -> e.getValue().equals(baseline.get(e.getKey())));
        return added;
    }

    /** Sockets of this host in SYN_SENT towards {@code port} (from /proc/net/tcp and tcp6). */
    static int synSentTo(int port) {
        int n = 0;
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file));
            } catch (IOException e) {
                continue; // no IPv6 here
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                String remote = f[2];
                int remotePort = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
                if (remotePort == port && f[3].equals("02")) {
                    n++;
                }
            }
        }
        return n;
    }
}
