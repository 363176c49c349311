package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;

/**
 * Worker life cycle with live connections: shutdown() closes them (peers see EOF) and the server,
 * awaitTermination returns true in bounded time, and no thread of the worker stays alive.
 */
class ShutdownTest {
    private static final int CLIENTS = 20;

    @EachProvider
    void shutdownClosesLiveConnectionsAndStopsThreads(String provider) throws Exception {
        Problems problems = new Problems();
        TestWorker w = TestWorker.start(provider);
        List<XnioIoThread> ioThreads = w.ioThreads();
        List<Socket> clients = new ArrayList<>();
        try (ServerSocket outboundPeer = new ServerSocket(0, 50, Server.LOOPBACK)) {
            Server server = Server.echo(w, 4096, OptionMap.EMPTY, problems);
            InetSocketAddress address = server.address();
            for (int i = 0; i < CLIENTS; i++) {
                Socket s = new Socket();
                clients.add(s);
                s.setSoTimeout(15_000);
                s.connect(address, 5_000);
                s.getOutputStream().write(new byte[] {(byte) i});
                assertEquals(i, new DataInputStream(s.getInputStream()).readByte(), "echo before shutdown");
            }
            // An outbound connection too.
            outboundPeer.setSoTimeout(10_000);
            IoFuture<StreamConnection> outbound = w.worker.openStreamConnection(
                    new InetSocketAddress(Server.LOOPBACK, outboundPeer.getLocalPort()), null, OptionMap.EMPTY);
            Socket outboundSide = outboundPeer.accept();
            clients.add(outboundSide);
            outboundSide.setSoTimeout(15_000);
            assertEquals(IoFuture.Status.DONE, outbound.await(10, TimeUnit.SECONDS));
            assertEquals(CLIENTS, server.open.size(), "live server-side connections");
            CountDownLatch taskThreadStarted = new CountDownLatch(1);
            w.worker.execute(taskThreadStarted::countDown);
            assertTrue(taskThreadStarted.await(10, TimeUnit.SECONDS));
            assertFalse(workerThreadNames(w).isEmpty(), "task threads are named after the worker (the check below relies on it)");

            w.worker.shutdown();
            assertTrue(w.worker.isShutdown());
            assertTrue(w.worker.awaitTermination(20, TimeUnit.SECONDS), "awaitTermination after shutdown()");
            assertTrue(w.worker.isTerminated());

            for (Socket s : clients) {
                assertEquals(-1, s.getInputStream().read(), "peer of a live connection sees EOF after worker shutdown");
            }
            assertFalse(server.channel.isOpen(), "accepting channel closed by shutdown");
            assertFalse(outbound.get().isOpen(), "outbound connection closed by shutdown");
            Await.until(() -> server.closed.get() == CLIENTS, Duration.ofSeconds(5),
                    () -> "close listeners of server-side connections: " + server.closed + "/" + CLIENTS);
            try (Socket late = new Socket()) {
                assertThrows(ConnectException.class, () -> late.connect(address, 5_000), "server port still accepting after shutdown");
            }
            assertThreadsGone(w, ioThreads);
            assertThrows(IOException.class, () -> w.worker.createStreamConnectionServer(
                    new InetSocketAddress(Server.LOOPBACK, 0), ch -> { }, OptionMap.EMPTY), "createStreamConnectionServer after shutdown");
            IoFuture<StreamConnection> afterShutdown = w.worker.openStreamConnection(
                    new InetSocketAddress(Server.LOOPBACK, outboundPeer.getLocalPort()), null, OptionMap.EMPTY);
            assertEquals(IoFuture.Status.FAILED, afterShutdown.await(10, TimeUnit.SECONDS), "openStreamConnection after shutdown");
        } finally {
            clients.forEach(IoUtils::safeClose);
            w.close();
        }
        problems.assertNone();
    }

    @EachProvider
    void shutdownNowInterruptsTasksAndClosesConnections(String provider) throws Exception {
        Problems problems = new Problems();
        TestWorker w = TestWorker.start(provider);
        List<XnioIoThread> ioThreads = w.ioThreads();
        List<Socket> clients = new ArrayList<>();
        try {
            Server server = Server.echo(w, 4096, OptionMap.EMPTY, problems);
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                clients.add(s);
                s.setSoTimeout(15_000);
                s.connect(server.address(), 5_000);
                s.getOutputStream().write(1);
                assertEquals(1, s.getInputStream().read());
            }
            CountDownLatch running = new CountDownLatch(1);
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            w.worker.execute(() -> {
                running.countDown();
                try {
                    Thread.sleep(60_000);
                    interrupted.complete(false);
                } catch (InterruptedException e) {
                    interrupted.complete(true);
                }
            });
            assertTrue(running.await(10, TimeUnit.SECONDS));
            w.worker.shutdownNow();
            assertTrue(w.worker.awaitTermination(20, TimeUnit.SECONDS), "awaitTermination after shutdownNow()");
            assertTrue(Await.get(interrupted, Duration.ofSeconds(5), "running task"), "shutdownNow() interrupts running tasks");
            for (Socket s : clients) {
                assertEquals(-1, s.getInputStream().read(), "peer sees EOF after shutdownNow()");
            }
            assertThreadsGone(w, ioThreads);
        } finally {
            clients.forEach(IoUtils::safeClose);
            w.close();
        }
        problems.assertNone();
    }

    static List<String> workerThreadNames(TestWorker w) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(w.name + " ") || n.endsWith(w.name))
                .toList();
    }

    /** Every I/O thread has exited, and so has every thread named after the worker (its task threads). */
    static void assertThreadsGone(TestWorker w, List<XnioIoThread> ioThreads) throws InterruptedException {
        for (XnioIoThread t : ioThreads) {
            t.join(10_000);
            assertFalse(t.isAlive(), "I/O thread still alive after termination: " + t);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> alive;
        do {
            alive = workerThreadNames(w);
            if (alive.isEmpty()) {
                return;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("threads of worker " + w.name + " still alive after termination: " + alive);
    }
}
