package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adaptiveio.conformance.support.Await;
import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.FloodClient;
import dev.adaptiveio.conformance.support.Problems;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * 10,000 concurrent connections to one server of the provider, all live at once and all echoing
 * twice. The clients run in a child JVM ({@link FloodClient}): both ends in one process would need
 * 20,000+ fds, the hard limit here (ulimit -Hn 20000). This process holds the 10,000 server ends.
 */
class ConcurrentConnectionsTest {
    static final int CONNECTIONS = 10_000;
    static final int CONNECTS_IN_FLIGHT = 500;

    @EachProvider
    @Timeout(300)
    void tenThousandConcurrentConnections(String provider) throws Exception {
        long limit = openFilesLimit();
        assertTrue(limit >= CONNECTIONS + 1_000, "this test needs an open-files limit of at least " + (CONNECTIONS + 1_000)
                + " (the JVM raises its soft limit to the hard one); it is " + limit + ": raise `ulimit -Hn`");
        Problems problems = new Problems();
        Map<Thread, Integer> perThread = new ConcurrentHashMap<>();
        OptionMap serverOptions = OptionMap.create(Options.BACKLOG, 1024);
        try (TestWorker w = TestWorker.start(provider);
             Server server = Server.echo(w, 256, serverOptions, problems)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classes = Path.of(FloodClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", classes, FloodClient.class.getName(),
                    server.address().getHostString(), Integer.toString(server.address().getPort()),
                    Integer.toString(CONNECTIONS), Integer.toString(CONNECTS_IN_FLIGHT))
                    .redirectErrorStream(true).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (Exception ignored) {
                    // child gone
                }
                lines.add("EOF");
            }, "flood-client-output");
            reader.setDaemon(true);
            reader.start();
            try (PrintStream control = new PrintStream(child.getOutputStream(), true, StandardCharsets.US_ASCII)) {
                expect(lines, "READY " + CONNECTIONS, 90);
                assertEquals(CONNECTIONS, server.accepted.get(), "connections accepted");
                assertEquals(CONNECTIONS, server.open.size(), "connections open at once");
                server.open.forEach(c -> perThread.merge(c.getIoThread(), 1, Integer::sum));
                System.out.println(provider + ": " + CONNECTIONS + " connections over I/O threads " + perThread.values());

                control.println("PING");
                expect(lines, "PONG " + CONNECTIONS, 60);

                control.println("CLOSE");
                expect(lines, "CLOSED", 30);
                assertEquals(true, child.waitFor(30, TimeUnit.SECONDS), "client process exit");
                assertEquals(0, child.exitValue(), "client process exit code");
            } finally {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
            Await.until(() -> server.open.isEmpty() && server.closed.get() == CONNECTIONS, Duration.ofSeconds(30),
                    () -> "server-side connections closed after the clients left: " + server.closed + "/" + CONNECTIONS + server.describeOpen());
        }
        problems.assertNone();
    }

    /** The soft RLIMIT_NOFILE of this JVM, from /proc/self/limits. */
    static long openFilesLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        throw new IOException("no 'Max open files' line in /proc/self/limits");
    }

    private static void expect(BlockingQueue<String> lines, String wanted, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        StringBuilder other = new StringBuilder();
        for (;;) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("client did not report '" + wanted + "' within " + seconds + " s; other output: " + other);
            }
            if (line.equals(wanted)) {
                return;
            }
            if (line.startsWith("ERROR") || line.equals("EOF")) {
                throw new AssertionError("client failed waiting for '" + wanted + "': " + line + "; other output: " + other);
            }
            other.append(line).append('\n');
        }
    }
}
