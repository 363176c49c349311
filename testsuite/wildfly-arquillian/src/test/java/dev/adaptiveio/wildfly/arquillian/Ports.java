package dev.adaptiveio.wildfly.arquillian;

/**
 * Port offsets of the test servers (jboss.socket.binding.port-offset in arquillian.xml): far from the defaults,
 * so a WildFly or the demo server running on this machine does not collide with the tests.
 */
final class Ports {

    /**
     * The shared server: http 18080, https 18443, io_uring listener 18180, management 19990 by default; the build's
     * {@code adaptiveio.wildfly.port-offset} (with {@code adaptiveio.wildfly.management-port} = 9990 + it) moves them.
     */
    static final int SHARED = Integer.getInteger("adaptiveio.wildfly.port-offset", 10_000);
    /** RestartPersistenceIT's server: http 19080, management 20990. */
    static final int RESTART = 11_000;
    /** IoUringUnavailableIT's server: http 20080, management 21990. */
    static final int NOURING = 12_000;

    static final int HTTP = 8080;
    static final int HTTPS = 8443;
    static final int MANAGEMENT = 9990;

    private Ports() {
    }
}
