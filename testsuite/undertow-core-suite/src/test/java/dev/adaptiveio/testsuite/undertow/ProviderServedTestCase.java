package dev.adaptiveio.testsuite.undertow;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.undertow.testutils.DefaultServer;
import io.undertow.testutils.HttpClientUtils;
import io.undertow.testutils.TestHttpClient;
import org.apache.http.HttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/**
 * Proves, inside the suite's own JVM and under Undertow's own runner, that the server every
 * other test talks to runs on the requested provider, and names it in the log.
 * <p>
 * JUnit 4 on purpose (the project's own tests are JUnit 5): it has to run under
 * {@link DefaultServer}, in the same surefire run as Undertow's JUnit 4 tests.
 */
@RunWith(DefaultServer.class)
public class ProviderServedTestCase {

    private static final String NIO_IO_THREAD = "org.xnio.nio.WorkerThread";
    private static final String[] MODE_PROPERTIES = {
            "test.h2", "test.h2c", "test.h2c-upgrade", "test.https", "test.ajp", "test.proxy"};

    @Test
    public void defaultServerRunsOnRequestedProvider() throws Exception {
        String requested = ProviderUnderTest.requestedName();
        Xnio underTest = ProviderUnderTest.xnio();
        if (ProviderUnderTest.failure() != null) {
            throw ProviderUnderTest.failure();
        }

        XnioWorker worker = DefaultServer.getWorker();
        Xnio served = worker.getXnio();
        assertSame("DefaultServer's Xnio must come from the suite's 'nio' delegate", underTest, served);
        assertEquals("Xnio.getName() of DefaultServer's worker", requested, served.getName());
        Class<?> ioThreadClass = worker.getIoThread(0).getClass();
        if (ProviderUnderTest.STOCK_NIO.equals(requested)) {
            assertEquals(NIO_IO_THREAD, ioThreadClass.getName());
        } else {
            assertFalse("provider '" + requested + "' runs on stock NIO I/O threads",
                    ioThreadClass.getName().startsWith("org.xnio.nio."));
        }
        // Undertow's client tests build their own worker through the no-argument lookup.
        assertEquals("Xnio.getInstance().getName()", requested, Xnio.getInstance().getName());

        XnioIoThread servedBy = serveOneRequest();
        assertSame("request served by another worker", worker, servedBy.getWorker());
        assertEquals("class of the I/O thread that served a request", ioThreadClass, servedBy.getClass());

        announce(String.format("undertow-core-suite provider=%s xnio=%s ioThread=%s mode=%s execution=%s network=%s",
                requested, served.getName(), ioThreadClass.getName(), mode(),
                System.getProperty("adaptiveio.suite.execution", "ide"), network()));
    }

    private static XnioIoThread serveOneRequest() throws IOException {
        AtomicReference<XnioIoThread> servedBy = new AtomicReference<>();
        DefaultServer.setRootHandler(exchange -> {
            servedBy.set(exchange.getIoThread());
            exchange.getResponseSender().send("served");
        });
        TestHttpClient client = new TestHttpClient();
        try {
            HttpResponse response = client.execute(new HttpGet(DefaultServer.getDefaultServerURL() + "/provider"));
            assertEquals(200, response.getStatusLine().getStatusCode());
            assertEquals("served", HttpClientUtils.readResponse(response));
        } finally {
            client.getConnectionManager().shutdown();
        }
        assertNotNull("handler never ran", servedBy.get());
        return servedBy.get();
    }

    private static String mode() {
        List<String> modes = new ArrayList<>();
        for (String property : MODE_PROPERTIES) {
            if (Boolean.getBoolean(property)) {
                modes.add(property.substring("test.".length()));
            }
        }
        return modes.isEmpty() ? "default" : String.join("+", modes);
    }

    /** "private" when this JVM runs in its own network namespace (src/test/isolated-jvm/bin/java). */
    private static String network() {
        try {
            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
            Path parents = Files.readSymbolicLink(Path.of("/proc/" + parent + "/ns/net"));
            return own.equals(parents) ? "shared" : "private";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** To the test's output file, and to a file the build prints after the surefire runs. */
    private static void announce(String banner) throws IOException {
        System.out.println(banner);
        String dir = System.getProperty("adaptiveio.suite.banner.dir");
        if (dir != null) {
            Path file = Path.of(dir, System.getProperty("adaptiveio.suite.execution", "ide") + ".banner");
            Files.createDirectories(file.getParent());
            Files.writeString(file, banner + System.lineSeparator(), StandardCharsets.UTF_8);
        }
    }
}
