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
 * {@code uring} on 8180); every port plus {@link Ports#SHARED}. Every test leaves it configured like that.
 */
@ExtendWith(ArquillianExtension.class)
abstract class SharedServerTest {

    static final int HTTP_EPOLL = Ports.HTTP + Ports.SHARED;
    static final int HTTPS_EPOLL = Ports.HTTPS + Ports.SHARED;
    static final int HTTP_URING = 8180 + Ports.SHARED;

    static Management management;

    /** Entries of the shared server's log already checked by an earlier class (the log only grows). */
    private static int checkedLogEntries;

    @Deployment(testable = false)
    static WebArchive app() {
        return TestApp.war();
    }

    @BeforeAll
    static void connect() {
        management = new Management(Ports.MANAGEMENT + Ports.SHARED);
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
            // From the boot on for the first class, then what each class added: an ERROR fails only its own class.
            ServerLog log = ServerLog.shared();
            int from = checkedLogEntries;
            checkedLogEntries = log.entryCount();
            log.assertNoErrorFromOurCodeSince(from, SharedServerTest::provokedOnPurpose);
        } finally {
            management.close();
        }
    }
}
