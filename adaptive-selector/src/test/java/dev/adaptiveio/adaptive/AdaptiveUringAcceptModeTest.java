package dev.adaptiveio.adaptive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.channels.AcceptingChannel;

/**
 * The io_uring provider's accept mode reaches the adaptive worker's io_uring engine: the worker
 * option wins over {@code -Dadaptiveio.io_uring.acceptMode}, which wins over the default. The
 * option is set by name and parsed from text, as XNIO configuration does (this module sees the
 * io_uring provider at run time only).
 */
class AdaptiveUringAcceptModeTest {

    private static final String PROPERTY = "adaptiveio.io_uring.acceptMode";

    private Xnio xnio;
    private AdaptiveXnioWorker worker;
    private AcceptingChannel<StreamConnection> server;

    @BeforeEach
    void provider() {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        xnio = Xnio.getInstance("adaptive", AdaptiveUringAcceptModeTest.class.getClassLoader());
        assertEquals("adaptive", xnio.getName());
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty(PROPERTY);
        if (server != null) {
            server.close();
        }
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminates");
        }
    }

    @ParameterizedTest(name = "option {0}, property {1}: {2}")
    @CsvSource(nullValues = "-", value = {
            "-,         -,         UringAcceptor",
            "-,         readiness, UringReadinessAcceptor",
            "READINESS, -,         UringReadinessAcceptor",
            "RING,      readiness, UringAcceptor",
            "READINESS, ring,      UringReadinessAcceptor"})
    void theIoUringEngineAcceptsInTheModeTheOptionOrPropertyNames(String option, String property, String acceptor)
            throws Exception {
        ClassLoader loader = AdaptiveUringAcceptModeTest.class.getClassLoader();
        OptionMap.Builder options = OptionMap.builder().set(Options.WORKER_IO_THREADS, 1);
        if (option != null) {
            Option<?> acceptMode = Option.fromString("dev.adaptiveio.uring.UringOptions.ACCEPT_MODE", loader);
            options.parse(acceptMode, option, loader);
        }
        if (property != null) {
            System.setProperty(PROPERTY, property);
        }
        try {
            worker = (AdaptiveXnioWorker) xnio.createWorker(options.getMap());
            NativeIoThread[] threads = worker.ioUringThreads(); // the property is read here, when the engine starts
            assertEquals(EngineId.IO_URING.providerName(), threads[0].engineName());
        } finally {
            System.clearProperty(PROPERTY);
        }
        server = worker.createStreamConnectionServer(new InetSocketAddress("127.0.0.1", 0), ch -> { }, OptionMap.EMPTY);
        NativeTcpServer tcp = assertInstanceOf(NativeTcpServer.class, server);
        Engine engine = worker.ioUringEngine();
        // The factory the listener's io_uring acceptors come from.
        for (NativeIoThread thread : worker.ioUringThreads()) {
            assertEquals(acceptor, engine.newAcceptor(tcp, thread).getClass().getSimpleName(), thread.getName());
        }
    }
}
