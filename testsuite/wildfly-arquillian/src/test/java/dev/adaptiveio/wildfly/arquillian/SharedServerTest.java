package dev.adaptiveio.wildfly.arquillian;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the test classes that run on the shared server (container {@code wildfly}, booted once for the run):
 * deploys {@link TestApp}, gives a management client, and checks after each class that {@code server.log} has
 * no ERROR from adaptive-io since the server booted.
 * <p>
 * Shared server: workers {@code native} (epoll, 2 I/O threads: http-listener {@code default} on 8080,
 * https-listener {@code https} on 8443, remoting) and {@code uring} (io_uring, 1 I/O thread: http-listener
 * {@code uring} on 8180). Every test leaves it configured like that.
 */
@ExtendWith(ArquillianExtension.class)
abstract class SharedServerTest {

    static final int HTTP_EPOLL = 8080;
    static final int HTTPS_EPOLL = 8443;
    static final int HTTP_URING = 8180;

    static Management management;

    @Deployment(testable = false)
    static WebArchive app() {
        return TestApp.war();
    }

    @BeforeAll
    static void connect() {
        management = new Management(Management.SHARED_SERVER_PORT);
    }

    /**
     * WildFly's controller logs every operation that fails in its RUNTIME stage at ERROR (WFLYCTL0013), with our
     * failure description in it. The tests provoke exactly one kind on purpose: runtime operations on a worker
     * whose engine is not adaptive (ADIOWF0012).
     */
    static boolean provokedOnPurpose(String entry) {
        return entry.contains("WFLYCTL0013") && entry.contains("ADIOWF0012");
    }

    @AfterAll
    static void checkLogAndDisconnect() {
        try {
            ServerLog.shared().assertNoErrorFromOurCode(SharedServerTest::provokedOnPurpose);
        } finally {
            management.close();
        }
    }
}
