package dev.adaptiveio.uring;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import io.undertow.Undertow;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Undertow on the io_uring provider: request/response cycles that cross threads. */
class UndertowOnUringTest {

    private XnioWorker worker;
    private Undertow undertow;
    private int port;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio xnio = Xnio.getInstance("io_uring", getClass().getClassLoader());
        assertEquals("io_uring", xnio.getName());
        worker = xnio.createWorker(OptionMap.builder().set(Options.WORKER_IO_THREADS, 4)
                .set(Options.WORKER_TASK_CORE_THREADS, 4).set(Options.WORKER_TASK_MAX_THREADS, 4).getMap());
        undertow = Undertow.builder().setWorker(worker).addHttpListener(0, "127.0.0.1")
                .setHandler(UndertowOnUringTest::handle).build();
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (undertow != null) {
            undertow.stop();
        }
        if (worker != null) {
            worker.shutdown();
            assertTrue(worker.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Answers before reading the request body, and ends the exchange on a worker thread. */
    private static void handle(HttpServerExchange exchange) {
        exchange.setResponseContentLength("message".length());
        exchange.getResponseSender().send("message", new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange ex, Sender sender) {
                ex.dispatch(ex.getConnection().getWorker(), ex::endExchange);
            }

            @Override
            public void onException(HttpServerExchange ex, Sender sender, java.io.IOException e) {
                ex.endExchange();
            }
        });
    }

    @Test
    void unreadChunkedBodyIsDrainedFromAWorkerThreadThenAnswered() throws Exception {
        for (int i = 0; i < 40; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(i % 4 == 0 ? 100 : i % 4);
                out.write("10\r\nMy HTTP Request!\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                StringBuilder sb = new StringBuilder();
                while (!sb.toString().endsWith("message")) {
                    int n = in.read(buf);
                    assertTrue(n > 0, "connection ended before the response: " + sb);
                    sb.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                }
                assertTrue(sb.toString().startsWith("HTTP/1.1 200"), sb.toString());
            }
        }
    }
}
