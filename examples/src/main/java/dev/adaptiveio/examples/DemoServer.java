package dev.adaptiveio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.transplant.Transplant;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.PathHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import org.jboss.logging.Logger;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * The adaptive-io demo: plain Undertow builder code on an XNIO worker of our providers.
 * <p>
 * {@code GET /plaintext} answers on the I/O thread; {@code POST /echo} streams the request body
 * back from a worker thread with blocking streams. Every response names the engine whose I/O
 * thread served the connection in {@code X-IO-Engine}.
 * <p>
 * System properties: {@code adaptiveio.provider} (default {@code epoll}),
 * {@code adaptiveio.demo.host} (default 127.0.0.1), {@code adaptiveio.demo.port} (default 8080),
 * {@code adaptiveio.demo.ioThreads} (default: one per core, per engine).
 */
public final class DemoServer {

    private static final Logger LOG = Logger.getLogger(DemoServer.class);
    public static final HttpString X_IO_ENGINE = new HttpString("X-IO-Engine");
    private static final ByteBuffer HELLO = ByteBuffer.wrap("Hello, World!".getBytes(StandardCharsets.US_ASCII));

    private final XnioWorker worker;
    private final Undertow undertow;

    public DemoServer(String provider, String host, int port, int ioThreads) throws IOException {
        Xnio xnio = Xnio.getInstance(provider, DemoServer.class.getClassLoader());
        if (!xnio.getName().equals(provider)) {
            throw new IllegalStateException("Asked for XNIO provider '" + provider + "' but got '" + xnio.getName() + "'");
        }
        OptionMap.Builder options = OptionMap.builder().set(Options.WORKER_NAME, "demo");
        if (ioThreads > 0) {
            options.set(Options.WORKER_IO_THREADS, ioThreads);
        }
        this.worker = xnio.createWorker(options.getMap());
        this.undertow = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(port, host)
                // A streaming echo has no reason to cap bodies at Undertow's default 2 MiB.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                // The transplant hook: a flag check per request unless adaptiveio.transplant=true.
                .setHandler(Transplant.handler(routes(new AdaptiveEndpoints(worker))))
                .build();
    }

    public static void main(String[] args) throws IOException {
        String provider = System.getProperty("adaptiveio.provider", "adaptive");
        String host = System.getProperty("adaptiveio.demo.host", "127.0.0.1");
        int port = Integer.getInteger("adaptiveio.demo.port", 8080);
        int ioThreads = Integer.getInteger("adaptiveio.demo.ioThreads", Runtime.getRuntime().availableProcessors());
        DemoServer server = new DemoServer(provider, host, port, ioThreads);
        server.start();
        LOG.infof("adaptive-io demo on http://%s:%d/ served by XNIO provider '%s' with %d I/O thread(s) (%s); "
                        + "try: curl -i http://%s:%d/plaintext",
                host, server.port(), server.worker.getXnio().getName(), server.worker.getIoThreadCount(),
                server.worker.getIoThread(0).getClass().getSimpleName(), host, server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "demo-shutdown"));
    }

    public void start() {
        undertow.start();
    }

    public void stop() {
        undertow.stop();
        worker.shutdown();
    }

    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    public XnioWorker worker() {
        return worker;
    }

    private static HttpHandler routes(AdaptiveEndpoints adaptive) {
        return new PathHandler()
                .addExactPath("/plaintext", DemoServer::plaintext)
                .addExactPath("/echo", DemoServer::echo)
                .addExactPath("/adaptive", adaptive::metrics)
                .addExactPath("/adaptive/switch", adaptive::forceSwitch);
    }

    private static void plaintext(HttpServerExchange exchange) {
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, "text/plain")
                .put(X_IO_ENGINE, engineOf(exchange.getIoThread()));
        exchange.getResponseSender().send(HELLO.duplicate());
    }

    private static void echo(HttpServerExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            exchange.endExchange();
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.getResponseHeaders().put(X_IO_ENGINE, engineOf(exchange.getIoThread()));
            exchange.dispatch(DemoServer::echo);
            return;
        }
        exchange.startBlocking();
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
        byte[] chunk = new byte[8192];
        try (InputStream in = exchange.getInputStream(); OutputStream out = exchange.getOutputStream()) {
            int n;
            while ((n = in.read(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
        }
    }

    /** The engine whose I/O thread serves a connection: {@code epoll}, {@code io_uring} or {@code nio}. */
    public static String engineOf(XnioIoThread thread) {
        if (thread instanceof NativeIoThread) {
            return ((NativeIoThread) thread).engineName();
        }
        return thread.getWorker().getXnio().getName();
    }
}
