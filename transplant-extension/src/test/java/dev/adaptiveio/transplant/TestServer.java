package dev.adaptiveio.transplant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.worker.NativeXnioWorker;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;

/**
 * A real Undertow 2.3 server on an adaptive-io worker, with the transplant hook installed and a
 * handler that reports which I/O thread served each request and counts requests per client
 * connection ({@code X-Conn}).
 * <p>
 * Paths: {@code /who} answers; {@code /move?to=N} asks for the connection to move to I/O thread
 * N after this response; {@code /move?engine=E} to engine E; {@code /blocking} answers from a
 * worker thread.
 */
final class TestServer implements AutoCloseable {

    static final HttpString IO_THREAD = new HttpString("X-IO-Thread");
    static final HttpString IO_ENGINE = new HttpString("X-IO-Engine");

    final NativeXnioWorker worker;
    final Transplant transplant;
    /** The manager's MXBean, registered explicitly as a user of a manager of their own does. */
    final TransplantManagement management;
    final Undertow undertow;
    final int port;
    /** Requests served per client connection id. */
    final Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    /** Outcomes of requested moves, per client connection id. */
    final Map<String, CompletionStage<MoveOutcome>> outcomes = new ConcurrentHashMap<>();

    TestServer(String provider, int ioThreads, boolean enabled, Consumer<Undertow.Builder> customizer) throws Exception {
        Xnio xnio = Xnio.getInstance(provider, TestServer.class.getClassLoader());
        assertEquals(provider, xnio.getName(), "the provider under test really runs");
        worker = (NativeXnioWorker) xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, 4)
                .set(Options.WORKER_TASK_MAX_THREADS, 4)
                .getMap());
        transplant = new Transplant("test-" + System.nanoTime(), enabled);
        management = TransplantManagement.register(transplant);
        Undertow.Builder builder = Undertow.builder()
                .setWorker(worker)
                .addHttpListener(0, "127.0.0.1")
                .setHandler(transplant.wrapHandler(this::handle));
        if (customizer != null) {
            customizer.accept(builder);
        }
        undertow = builder.build();
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    static TestServer epoll(int ioThreads) throws Exception {
        return new TestServer("epoll", ioThreads, true, null);
    }

    NativeIoThread thread(int n) {
        return worker.ioThreads()[n];
    }

    NativeIoThread threadNamed(String name) {
        for (NativeIoThread t : worker.ioThreads()) {
            if (t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no I/O thread named " + name);
    }

    NativeIoThread otherThan(String name) {
        for (NativeIoThread t : worker.ioThreads()) {
            if (!t.getName().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no other thread than " + name);
    }

    private final HttpHandler websocket = io.undertow.Handlers.websocket((exchange, channel) -> {
        channel.getReceiveSetter().set(new io.undertow.websockets.core.AbstractReceiveListener() {
            @Override
            protected void onFullTextMessage(io.undertow.websockets.core.WebSocketChannel ch,
                                             io.undertow.websockets.core.BufferedTextMessage message) {
                io.undertow.websockets.core.WebSockets.sendText(message.getData(), ch, null);
            }
        });
        channel.resumeReceives();
    });

    void handle(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRelativePath();
        if (path.equals("/ws")) {
            websocket.handleRequest(exchange);
            return;
        }
        if ((path.equals("/blocking") || path.equals("/blocking-move")) && exchange.isInIoThread()) {
            exchange.dispatch((HttpHandler) this::handle);
            return;
        }
        if (path.equals("/move") || path.equals("/blocking-move")) {
            String id = exchange.getRequestHeaders().getFirst("X-Conn");
            Destination d;
            String to = exchange.getQueryParameters().containsKey("to") ? exchange.getQueryParameters().get("to").getFirst() : null;
            if (to != null) {
                d = Destination.threads(thread(Integer.parseInt(to)));
            } else {
                d = Destination.engine(exchange.getQueryParameters().get("engine").getFirst());
            }
            CompletionStage<MoveOutcome> outcome = transplant.requestMove(exchange, d);
            if (id != null) {
                outcomes.put(id, outcome);
            }
        }
        answer(exchange);
    }

    private void answer(HttpServerExchange exchange) {
        String id = exchange.getRequestHeaders().getFirst("X-Conn");
        String seq = exchange.getRequestHeaders().getFirst("X-Seq");
        long n = id == null ? 0 : served.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
        NativeIoThread io = (NativeIoThread) exchange.getIoThread();
        exchange.getResponseHeaders().put(IO_THREAD, io.getName());
        exchange.getResponseHeaders().put(IO_ENGINE, io.engineName());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send(io.getName() + " " + seq + " " + n);
    }

    /**
     * Open sockets in /proc/self/fd: what a move could leak. Other fds (class path jars, the
     * pollers and eventfds of workers that earlier tests in this JVM are still shutting down,
     * /dev/null the JDK opens lazily) come and go independently of the connections under test.
     */
    static int openFds() {
        int n = 0;
        for (File f : new File("/proc/self/fd").listFiles()) {
            try {
                String target = java.nio.file.Files.readSymbolicLink(f.toPath()).toString();
                if (target.startsWith("socket:")) {
                    n++;
                }
            } catch (java.io.IOException e) {
                // closed while listing (the listing's own fd)
            }
        }
        return n;
    }

    /** Waits until the fd count is back to at most {@code baseline} (connections close asynchronously). */
    static void assertFdsBackTo(int baseline) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (openFds() > baseline && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(openFds() <= baseline, () -> "fds back to " + baseline + ", now " + openFds() + ": " + fdTargets());
    }

    static java.util.List<String> fdTargets() {
        java.util.List<String> list = new java.util.ArrayList<>();
        for (File f : new File("/proc/self/fd").listFiles()) {
            try {
                list.add(f.getName() + "->" + java.nio.file.Files.readSymbolicLink(f.toPath()));
            } catch (java.io.IOException e) {
                list.add(f.getName() + "->?");
            }
        }
        return list;
    }

    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Override
    public void close() throws java.io.IOException {
        undertow.stop();
        worker.shutdown();
        try {
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS), "worker terminates");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        } finally {
            transplant.close();
            management.close();
        }
    }
}
