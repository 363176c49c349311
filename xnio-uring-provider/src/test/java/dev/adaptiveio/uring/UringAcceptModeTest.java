package dev.adaptiveio.uring;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both accept modes on the shared server, chosen by the worker option
 * ({@link UringOptions#ACCEPT_MODE}) or the system property ({@code -Dadaptiveio.io_uring.acceptMode}).
 */
class UringAcceptModeTest {

    private Xnio xnio;
    private XnioWorker worker;
    private final AtomicReference<Throwable> serverFailure = new AtomicReference<>();

    @BeforeEach
    void provider() {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        xnio = Xnio.getInstance("io_uring", UringAcceptModeTest.class.getClassLoader());
        assertEquals("io_uring", xnio.getName());
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty(UringEngine.ACCEPT_MODE_PROPERTY);
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminates");
        }
        assertNull(serverFailure.get());
    }

    private XnioWorker worker(String mode) throws Exception {
        return workerWith(null, mode);
    }

    /** A worker given {@code option} (null: not set) while the system property is {@code property} (null: unset). */
    private XnioWorker workerWith(UringAcceptMode option, String property) throws Exception {
        if (property != null) {
            System.setProperty(UringEngine.ACCEPT_MODE_PROPERTY, property);
        }
        OptionMap.Builder options = OptionMap.builder().set(Options.WORKER_IO_THREADS, 2);
        if (option != null) {
            options.set(UringOptions.ACCEPT_MODE, option);
        }
        try {
            worker = xnio.createWorker(options.getMap());
        } finally {
            System.clearProperty(UringEngine.ACCEPT_MODE_PROPERTY);
        }
        assertInstanceOf(UringIoThread.class, worker.getIoThread(0));
        return worker;
    }

    /** Selects {@code mode} the way {@code by} names: "property" or "option". */
    private XnioWorker worker(String mode, String by) throws Exception {
        return switch (by) {
            case "property" -> workerWith(null, mode);
            case "option" -> workerWith(UringAcceptMode.parse(mode), null);
            default -> throw new IllegalArgumentException(by);
        };
    }

    /**
     * The mode every I/O thread's engine runs, and the acceptor class it builds for a server: the
     * same factory {@code createStreamConnectionServer} used for the server's acceptors.
     */
    private static void assertAcceptMode(UringAcceptMode expected, XnioWorker worker, AcceptingChannel<StreamConnection> server) {
        dev.adaptiveio.core.server.NativeTcpServer tcp =
                assertInstanceOf(dev.adaptiveio.core.server.NativeTcpServer.class, server);
        Class<?> acceptor = expected == UringAcceptMode.READINESS ? UringReadinessAcceptor.class : UringAcceptor.class;
        for (int i = 0; i < worker.getIoThreadCount(); i++) {
            UringIoThread thread = (UringIoThread) worker.getIoThread(i);
            assertEquals(expected, thread.engine().acceptMode(), thread.getName());
            assertEquals(acceptor, thread.engine().newAcceptor(tcp, thread).getClass(), thread.getName());
        }
    }

    /** Greets each connection with the name of the I/O thread that accepted it, then closes it. */
    private AcceptingChannel<StreamConnection> greetingServer(Set<StreamConnection> accepted) throws Exception {
        ChannelListener<AcceptingChannel<StreamConnection>> listener = server -> {
            try {
                StreamConnection c;
                while ((c = server.accept()) != null) {
                    assertInstanceOf(UringIoThread.class, c.getIoThread());
                    assertSame(Thread.currentThread(), c.getIoThread(), "served on the thread that accepted it");
                    assertTrue(accepted.add(c), "each connection is accepted once");
                    ByteBuffer hello = ByteBuffer.wrap((c.getIoThread().getName() + "\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    while (hello.hasRemaining()) {
                        assertTrue(c.getSinkChannel().write(hello) > 0, "a greeting fits the send queue");
                    }
                    c.getSinkChannel().shutdownWrites();
                    c.getSinkChannel().flush();
                    IoUtils.safeClose(c);
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                // XNIO's contract once the server is closed (a listener call racing close())
                if (server.isOpen()) {
                    serverFailure.compareAndSet(null, e);
                }
            } catch (Throwable t) {
                serverFailure.compareAndSet(null, t);
            }
        };
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress("127.0.0.1", 0), listener, OptionMap.EMPTY);
        server.resumeAccepts();
        return server;
    }

    private static String greeting(InetSocketAddress address) throws Exception {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\n"), "a whole greeting: " + text);
            return text.trim();
        }
    }

    @ParameterizedTest(name = "{0} by {1}")
    @CsvSource({"ring, property", "readiness, property", "ring, option", "readiness, option"})
    void everyConnectionIsAcceptedOnceAndServed(String mode, String by) throws Exception {
        worker(mode, by);
        Set<StreamConnection> accepted = ConcurrentHashMap.newKeySet();
        AcceptingChannel<StreamConnection> server = greetingServer(accepted);
        assertAcceptMode(UringAcceptMode.parse(mode), worker, server);
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        // Several connections waiting at once, then one after another.
        List<Socket> waiting = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                waiting.add(new Socket(address.getAddress(), address.getPort()));
            }
            for (Socket s : waiting) {
                s.setSoTimeout(10_000);
                assertTrue(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).endsWith("\n"));
            }
        } finally {
            waiting.forEach(IoUtils::safeClose);
        }
        for (int i = 0; i < 20; i++) {
            greeting(address);
        }
        assertEquals(30, accepted.size());
        server.close();
    }

    /** Readiness mode as it behaves, not only as configured: only a running thread accepts. */
    @ParameterizedTest(name = "by {0}")
    @ValueSource(strings = {"property", "option"})
    void inReadinessModeABlockedThreadTakesNoConnection(String by) throws Exception {
        worker("readiness", by);
        Set<StreamConnection> accepted = ConcurrentHashMap.newKeySet();
        AcceptingChannel<StreamConnection> server = greetingServer(accepted);
        // Ring mode can pass the behaviour below too (it did with the option ignored: which ring's
        // ACCEPT the kernel completes is its choice), so the configured mode is asserted as well.
        assertAcceptMode(UringAcceptMode.READINESS, worker, server);
        InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
        greeting(address);
        XnioIoThread blocked = worker.getIoThread(0);
        XnioIoThread running = worker.getIoThread(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        blocked.execute(() -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 10; i++) {
                assertEquals(running.getName(), greeting(address), "served while thread 0 is blocked");
            }
        } finally {
            release.countDown();
        }
        server.close();
    }

    /**
     * The race behind a rare failure of the test above: an accept listener passed the server's
     * open check, then another thread's close() shut the listening socket down before the
     * listener's accept4 ran (EINVAL). Made deterministic: both I/O threads are held, so the
     * listening fd stays open (shut down, not closed) while the accept4 runs.
     */
    @Test
    void anAcceptRacingCloseReportsAClosedChannel() throws Exception {
        worker("readiness");
        AcceptingChannel<StreamConnection> server = greetingServer(ConcurrentHashMap.newKeySet());
        dev.adaptiveio.core.server.NativeTcpServer tcp =
                assertInstanceOf(dev.adaptiveio.core.server.NativeTcpServer.class, server);
        UringIoThread thread = (UringIoThread) worker.getIoThread(0);
        UringReadinessAcceptor racing = new UringReadinessAcceptor(tcp, thread, false);
        CountDownLatch held = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 2; i++) {
            worker.getIoThread(i).execute(() -> {
                held.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        try {
            assertTrue(held.await(10, TimeUnit.SECONDS));
            server.close();
            assertThrows(java.nio.channels.ClosedChannelException.class, racing::accept,
                    "accept4 on the shut-down listening socket of a closed server");
        } finally {
            release.countDown();
        }
    }

    /** Option, then system property, then the default; a set option leaves the property unread. */
    @ParameterizedTest(name = "option {0}, property {1}: {2}")
    @CsvSource(nullValues = "-", value = {
            "-,         -,         RING",
            "-,         readiness, READINESS",
            "-,         RING,      RING",
            "READINESS, -,         READINESS",
            "READINESS, ring,      READINESS",
            "RING,      readiness, RING",
            "READINESS, sideways,  READINESS"})
    void theOptionWinsOverThePropertyWhichWinsOverTheDefault(UringAcceptMode option, String property,
                                                             UringAcceptMode expected) throws Exception {
        workerWith(option, property);
        AcceptingChannel<StreamConnection> server = greetingServer(ConcurrentHashMap.newKeySet());
        assertAcceptMode(expected, worker, server);
        server.close();
    }

    @Test
    void theOptionParsesFromTextAsXnioConfigurationDoes() {
        OptionMap options = OptionMap.builder()
                .parse(UringOptions.ACCEPT_MODE, "READINESS", UringAcceptModeTest.class.getClassLoader()).getMap();
        assertEquals(UringAcceptMode.READINESS, options.get(UringOptions.ACCEPT_MODE));
        assertEquals(UringAcceptMode.RING, UringAcceptMode.parse(" Ring "));
        assertThrows(IllegalArgumentException.class, () -> UringAcceptMode.parse("sideways"));
    }

    @Test
    void anUnknownAcceptModeIsAClearError() {
        System.setProperty(UringEngine.ACCEPT_MODE_PROPERTY, "sideways");
        Throwable t = assertThrows(Throwable.class,
                () -> xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 1)));
        String messages = "";
        for (Throwable c = t; c != null; c = c.getCause()) {
            messages += c.getMessage() + "\n";
        }
        assertTrue(messages.contains("adaptiveio.io_uring.acceptMode=sideways is not an accept mode"), messages);
    }
}
