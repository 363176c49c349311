package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.Bounded;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.DataInputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.channels.Channels;

/** Outbound TCP (Undertow's client, proxy and load balancer use it). */
class OutboundConnectTest {
    @EachProvider
    void connectsAndRunsOpenListenerOnTheConnectionsThread(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider); ServerSocket listener = new ServerSocket(0, 50, Server.LOOPBACK)) {
            listener.setSoTimeout(10_000);
            InetSocketAddress target = new InetSocketAddress(Server.LOOPBACK, listener.getLocalPort());
            CompletableFuture<Thread> opened = new CompletableFuture<>();
            AtomicInteger bound = new AtomicInteger();
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(target,
                    c -> opened.complete(Thread.currentThread()), b -> bound.incrementAndGet(), OptionMap.EMPTY);
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout(10_000);
                assertEquals(IoFuture.Status.DONE, future.await(10, TimeUnit.SECONDS), "connect status");
                StreamConnection c = future.get();
                try {
                    assertSame(c.getIoThread(), Await.get(opened, Duration.ofSeconds(10), "open listener"),
                            "open listener on the connection's I/O thread");
                    assertEquals(1, bound.get(), "bind listener calls");
                    assertSame(w.worker, c.getWorker());
                    assertEquals(target, c.getPeerAddress(InetSocketAddress.class));
                    InetSocketAddress local = c.getLocalAddress(InetSocketAddress.class);
                    assertEquals(peer.getRemoteSocketAddress(), local, "local address seen by the peer");
                    assertTrue(c.isOpen());
                    ByteBuffer hello = ByteBuffer.wrap("hi".getBytes());
                    Channels.writeBlocking(c.getSinkChannel(), hello, 10, TimeUnit.SECONDS);
                    assertEquals(0, hello.remaining(), "2 bytes written");
                    Bounded.flush(c.getSinkChannel(), Duration.ofSeconds(10));
                    byte[] got = new byte[2];
                    new DataInputStream(peer.getInputStream()).readFully(got);
                    assertEquals("hi", new String(got));
                } finally {
                    IoUtils.safeClose(c);
                }
                assertEquals(-1, peer.getInputStream().read(), "peer sees EOF after close()");
            }
        }
    }

    @EachProvider
    @SuppressWarnings("try") // resources held open for the peer's sake
    void connectOnAChosenIoThread(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider); ServerSocket listener = new ServerSocket(0, 50, Server.LOOPBACK)) {
            listener.setSoTimeout(10_000);
            InetSocketAddress target = new InetSocketAddress(Server.LOOPBACK, listener.getLocalPort());
            for (XnioIoThread io : w.ioThreads()) {
                IoFuture<StreamConnection> future = io.openStreamConnection(target, null, OptionMap.EMPTY);
                try (Socket peer = listener.accept()) {
                    assertEquals(IoFuture.Status.DONE, future.await(10, TimeUnit.SECONDS));
                    StreamConnection c = future.get();
                    assertSame(io, c.getIoThread(), "connection opened through an I/O thread belongs to it");
                    IoUtils.safeClose(c);
                }
            }
        }
    }

    @EachProvider
    void refusedConnectionFailsTheFuture(String provider) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, Server.LOOPBACK)) {
            closedPort = s.getLocalPort();
        }
        try (TestWorker w = TestWorker.start(provider)) {
            AtomicInteger opened = new AtomicInteger();
            IoFuture<StreamConnection> future = w.worker.openStreamConnection(new InetSocketAddress(Server.LOOPBACK, closedPort),
                    c -> opened.incrementAndGet(), OptionMap.EMPTY);
            assertEquals(IoFuture.Status.FAILED, future.await(10, TimeUnit.SECONDS), "connect to a closed port");
            // java.net.ConnectException is what callers (and Undertow's proxy) expect for ECONNREFUSED.
            assertInstanceOf(ConnectException.class, future.getException(), "failure cause");
            Await.sleep(100);
            assertEquals(0, opened.get(), "open listener called for a refused connection");
        }
    }
}
