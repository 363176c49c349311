package dev.adaptiveio.benchmarks.undertow;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.LongAdder;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The Undertow side of the benchmarks: one handler, run on the I/O thread, on the XNIO provider
 * named by {@code -Dadaptiveio.provider} (nio, epoll, io_uring, adaptive).
 *
 * <p>Usage: {@code UndertowBenchServer <port> [--static-dir DIR] [--buffer-pipelined] [--io-threads N]}.
 * Binds 127.0.0.1 only. Endpoints: {@code /plaintext}, {@code /16k}, {@code /1m} (fixed bodies from
 * memory), {@code /static/*} (files under DIR through {@link ResourceHandler}, i.e. the sendfile
 * path) and h2c with prior knowledge on the same port; {@code /count} returns how many requests
 * the other endpoints have served; {@code /engines} prints, for an {@code adaptive} listener, its active
 * engine and connections per engine (one line per listener MXBean, nothing on other providers).
 *
 * <p>XNIO silently falls back to NIO when a provider fails to load, so the server refuses to
 * start unless the provider it got carries the requested name, and prints what actually runs
 * (provider name, I/O thread class, provider jar) for the benchmark log.
 */
public final class UndertowBenchServer {

    static final String PROVIDER_PROPERTY = "adaptiveio.provider";
    private static final int EXIT_WRONG_PROVIDER = 3;

    private UndertowBenchServer() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable failure) {
            // A failed start must end the process: the I/O threads would otherwise keep the JVM alive.
            System.err.println("START-FAILED " + failure);
            failure.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: UndertowBenchServer <port> [--static-dir DIR] [--buffer-pipelined] [--io-threads N]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path staticDir = null;
        boolean bufferPipelined = false;
        int ioThreads = 1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--static-dir" -> staticDir = Paths.get(args[++i]);
                case "--buffer-pipelined" -> bufferPipelined = true;
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        String requested = System.getProperty(PROVIDER_PROPERTY, "nio");

        Xnio xnio;
        try {
            xnio = Xnio.getInstance(requested, UndertowBenchServer.class.getClassLoader());
        } catch (IllegalArgumentException notFound) {
            System.err.println("PROVIDER-UNAVAILABLE requested=" + requested + ": " + notFound.getMessage());
            System.exit(EXIT_WRONG_PROVIDER);
            return;
        }
        if (!requested.equals(xnio.getName())) {
            System.err.println("PROVIDER-MISMATCH requested=" + requested + " got=" + xnio.getName());
            System.exit(EXIT_WRONG_PROVIDER);
        }
        XnioWorker worker = xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, "bench")
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, 1)
                .set(Options.WORKER_TASK_MAX_THREADS, 4)
                .getMap());

        boolean transplant = Boolean.getBoolean("adaptiveio.transplant");
        Undertow server = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(port, "127.0.0.1")
                .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
                .setServerOption(UndertowOptions.BUFFER_PIPELINED_DATA, bufferPipelined)
                .setSocketOption(Options.BACKLOG, 4096)
                .setHandler(transplant ? withTransplantHook(new BenchHandler(staticDir)) : new BenchHandler(staticDir))
                .build();
        server.start();

        System.out.println("provider=" + xnio.getName()
                + " ioThreads=" + worker.getIoThreadCount()
                + " ioThreadClass=" + worker.getIoThread(0).getClass().getName()
                + " bufferPipelined=" + bufferPipelined
                + " transplant=" + transplant
                + " providerJar=" + codeSource(xnio.getClass()));
        System.out.println("READY port=" + port);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop();
            worker.shutdownNow();
        }, "bench-shutdown"));
        Thread.currentThread().join();
    }

    /**
     * transplant-extension's boundary hook around the handler, as builder code installs it. Looked up by
     * name: the extension is on the class path only in the {@code transplant} profile.
     */
    private static HttpHandler withTransplantHook(HttpHandler handler) throws ReflectiveOperationException {
        return (HttpHandler) Class.forName("dev.adaptiveio.transplant.Transplant")
                .getMethod("handler", HttpHandler.class).invoke(null, handler);
    }

    private static String codeSource(Class<?> type) {
        var domain = type.getProtectionDomain();
        return domain == null || domain.getCodeSource() == null ? "?" : String.valueOf(domain.getCodeSource().getLocation());
    }

    /** Serves every endpoint on the I/O thread; the static files go through Undertow's own resource handler. */
    static final class BenchHandler implements HttpHandler {
        private static final String TEXT_PLAIN = "text/plain";
        private static final String OCTETS = "application/octet-stream";

        private final ByteBuffer plaintext = body("Hello, World!".getBytes(StandardCharsets.US_ASCII));
        private final ByteBuffer body16k = body(filled(16 * 1024));
        private final ByteBuffer body1m = body(filled(1024 * 1024));
        private final HttpHandler staticFiles;
        private final LongAdder served = new LongAdder();

        BenchHandler(Path staticDir) {
            if (staticDir != null && Files.isDirectory(staticDir)) {
                // transferMinSize 1: every file goes through transferTo (sendfile on NIO).
                staticFiles = new ResourceHandler(new PathResourceManager(staticDir, 1));
            } else {
                staticFiles = exchange -> exchange.setStatusCode(404).endExchange();
            }
        }

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
            String path = exchange.getRelativePath();
            if (path.equals("/count")) {
                // Lets the driver count requests inside a window of a longer load run.
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, TEXT_PLAIN);
                exchange.getResponseSender().send(Long.toString(served.sum()));
                return;
            }
            if (path.equals("/engines")) {
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, TEXT_PLAIN);
                exchange.getResponseSender().send(engines());
                return;
            }
            served.increment();
            switch (path) {
                case "/plaintext" -> send(exchange, TEXT_PLAIN, plaintext);
                case "/16k" -> send(exchange, OCTETS, body16k);
                case "/1m" -> send(exchange, OCTETS, body1m);
                default -> {
                    if (path.startsWith("/static/")) {
                        exchange.setRelativePath(path.substring("/static".length()));
                        staticFiles.handleRequest(exchange);
                    } else {
                        exchange.setStatusCode(404).endExchange();
                    }
                }
            }
        }

        /** "active=io_uring epoll=0 io_uring=256 switches=1" per adaptive listener, read through JMX (no compile-time tie to a provider). */
        private static String engines() throws Exception {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            StringBuilder out = new StringBuilder();
            for (ObjectName name : server.queryNames(new ObjectName("dev.adaptiveio:type=Listener,*"), null)) {
                out.append("active=").append(server.getAttribute(name, "ActiveEngine"))
                        .append(" epoll=").append(server.getAttribute(name, "EpollConnections"))
                        .append(" io_uring=").append(server.getAttribute(name, "IoUringConnections"))
                        .append(" switches=").append(server.getAttribute(name, "Switches")).append('\n');
            }
            return out.toString();
        }

        private static void send(HttpServerExchange exchange, String contentType, ByteBuffer body) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.remaining());
            exchange.getResponseSender().send(body.duplicate());
        }

        private static ByteBuffer body(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
            buffer.put(bytes).flip();
            return buffer.asReadOnlyBuffer();
        }

        private static byte[] filled(int size) {
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = (byte) ('a' + i % 26);
            }
            return bytes;
        }
    }
}
