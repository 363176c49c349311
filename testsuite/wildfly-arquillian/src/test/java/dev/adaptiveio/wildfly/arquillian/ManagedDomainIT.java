package dev.adaptiveio.wildfly.arquillian;

import static dev.adaptiveio.wildfly.arquillian.Management.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jboss.dmr.ModelNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import dev.adaptiveio.wildfly.arquillian.HttpConnection.Response;

/**
 * A managed domain (one host controller, one server group, one server), set up the way an operator would: the
 * distribution's {@code install.sh} into a profile of the stopped domain ({@code --config=domain.xml}), the domain
 * booted with {@code domain.sh}, a worker and the listener configured in the profile through the domain controller,
 * the server reloaded; the server serves on our worker and its metrics are read through the host path. Then
 * {@code uninstall.sh --connect} refuses while the server group's listener uses the worker and, with
 * {@code --reset-listeners}, takes the subsystem out again.
 * <p>
 * Plain JUnit: the domain is its own set of processes, on a copy of the provisioned installation (the modules are
 * hard links, so the copy is cheap) without our modules, so the test installs them itself.
 */
@Order(20)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagedDomainIT {

    private static final Path DIST_HOME = Path.of(System.getProperty("adaptiveio.dist.home", "target/adaptive-io-wildfly"));
    private static final Path DOMAIN_HOME = Installed.JBOSS_HOME.resolveSibling("wildfly-domain");
    /** Server one's port offset: clear of the standalone test servers (+10000..+12000) and of a default-port server. */
    private static final int OFFSET = 14500;
    private static final int HTTP = 8080 + OFFSET;
    private static final String PROFILE = "default";
    private static final String[] SERVER_ONE = { "host=primary", "server=server-one" };

    private static int managementPort;
    private static Process domain;
    private static Management dc;

    @BeforeAll
    static void copyInstallAndBoot() throws Exception {
        copyWithoutOurModules(Installed.JBOSS_HOME, DOMAIN_HOME);
        trimToOneServer();

        // Offline, with nothing but the configuration file's name: install.sh finds out it is a domain.
        Script noProfile = script("install.sh", "--config=domain.xml", DOMAIN_HOME.toString());
        assertNotEquals(0, noProfile.exit, noProfile::toString);
        assertTrue(noProfile.output.contains("--profile=NAME"), noProfile::toString);
        assertFalse(Files.exists(DOMAIN_HOME.resolve("modules/dev/adaptiveio")), "a refused install copies nothing");

        Script install = script("install.sh", "--config=domain.xml", "--profile=" + PROFILE, DOMAIN_HOME.toString());
        assertEquals(0, install.exit, install::toString);
        assertTrue(install.output.contains("installed into profile(s) " + PROFILE), install::toString);
        assertFalse(install.output.contains("unchanged"), install::toString);
        String domainXml = Files.readString(DOMAIN_HOME.resolve("domain/configuration/domain.xml"));
        assertTrue(domainXml.contains("<extension module=\"dev.adaptiveio.wildfly\"/>"), "extension in domain.xml");
        assertTrue(domainXml.contains("urn:wildfly:adaptive-io:1.0"), "subsystem in a profile of domain.xml");

        managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder("sh", DOMAIN_HOME.resolve("bin/domain.sh").toString(),
                "-Djboss.management.http.port=" + managementPort)
                .redirectErrorStream(true)
                .redirectOutput(DOMAIN_HOME.resolve("domain-console.log").toFile());
        builder.environment().put("JBOSS_HOME", DOMAIN_HOME.toString());
        domain = builder.start();
        dc = awaitServerOne(null);
    }

    @AfterAll
    static void shutDown() throws Exception {
        try {
            if (dc != null) {
                dc.execute(op("shutdown", "host=primary"));
                dc.close();
            }
        } finally {
            if (domain != null && !domain.waitFor(60, TimeUnit.SECONDS)) {
                domain.descendants().forEach(ProcessHandle::destroyForcibly);
                domain.destroyForcibly();
            }
        }
    }

    @Test
    @Order(1)
    void aDomainServerServesOnOurWorkerAndShowsItsMetricsOnTheHostPath() throws Exception {
        // Already installed offline; again through the domain controller, which it must recognise (no WFLYCTL0030).
        Script again = script("install.sh", "--connect", "--controller=127.0.0.1:" + managementPort, "--profile=" + PROFILE,
                DOMAIN_HOME.toString());
        assertEquals(0, again.exit, again::toString);
        assertFalse(again.output.contains("WFLYCTL"), again::toString);

        String[] worker = { "profile=" + PROFILE, "subsystem=adaptive-io", "worker=native" };
        ModelNode add = op("add", worker);
        add.get("engine").set("epoll");
        add.get("io-threads").set(1);
        dc.ok(add);
        dc.writeAttribute("worker", "native", "profile=" + PROFILE, "subsystem=remoting");
        dc.writeAttribute("worker", "native", "profile=" + PROFILE, "subsystem=undertow", "server=default-server", "http-listener=default");
        dc = reloadServers(dc);

        String[] hostPath = { "host=primary", "server=server-one", "subsystem=adaptive-io", "worker=native" };
        try (HttpConnection held = HttpConnection.open(HTTP)) {
            Response response = held.get("/");
            assertEquals(200, response.status(), response::toString);
            ModelNode metrics = dc.readRuntime(hostPath);
            assertEquals("epoll", metrics.get("running-engine").asString(), metrics::toString);
            assertEquals(1, metrics.get("io-thread-count").asInt(), metrics::toString);
            String listener = "127.0.0.1:" + HTTP;
            assertEquals(1L, metrics.get("listener-connections", listener).asLong(0), () -> "the held connection on our worker: " + metrics);
        }
    }

    @Test
    @Order(2)
    void uninstallRefusesWhileAServerGroupUsesTheWorkerThenResetsAndRemoves() throws Exception {
        String controller = "--controller=127.0.0.1:" + managementPort;
        Script refused = script("uninstall.sh", "--connect", controller, "--profile=" + PROFILE, DOMAIN_HOME.toString());
        assertNotEquals(0, refused.exit, refused::toString);
        assertTrue(refused.output.contains("/profile=" + PROFILE + "/subsystem=undertow/server=default-server/http-listener=default worker native"),
                refused::toString);
        assertTrue(refused.output.contains("main-server-group " + PROFILE), "names the server group: " + refused);
        assertTrue(dc.execute(op("read-resource", "profile=" + PROFILE, "subsystem=adaptive-io")).get("outcome").asString().equals("success"),
                "nothing removed");

        Script removed = script("uninstall.sh", "--connect", controller, "--profile=" + PROFILE, "--reset-listeners", DOMAIN_HOME.toString());
        assertEquals(0, removed.exit, removed::toString);
        // With the extension gone the subsystem's resource type is gone too: WFLYCTL0030 rather than 0216.
        String subsystem = dc.fails(op("read-resource", "profile=" + PROFILE, "subsystem=adaptive-io"));
        assertTrue(subsystem.contains("WFLYCTL0030") || subsystem.contains("WFLYCTL0216"), subsystem);
        String extension = dc.fails(op("read-resource", "extension=dev.adaptiveio.wildfly"));
        assertTrue(extension.contains("WFLYCTL0216"), extension);
        dc = reloadServers(dc);
        assertEquals(200, HttpConnection.once(HTTP, "/").status(), "served on WildFly's own worker again");
        ModelNode subsystems = dc.ok(childrenNames("subsystem", SERVER_ONE));
        assertFalse(subsystems.toString().contains("adaptive-io"), subsystems::toString);
    }

    private static ModelNode childrenNames(String type, String... address) {
        ModelNode op = op("read-children-names", address);
        op.get("child-type").set(type);
        return op;
    }

    private static Management reloadServers(Management client) {
        ModelNode reload = op("reload-servers", "server-group=main-server-group");
        reload.get("blocking").set(true);
        client.ok(reload);
        return awaitServerOne(client);
    }

    /** Waits (bounded) until the host controller answers and server one runs. */
    private static Management awaitServerOne(Management client) {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        String last = "no answer";
        Management current = client;
        while (System.nanoTime() < deadline) {
            assertTrue(domain.isAlive(), () -> "domain.sh ended: " + console());
            try {
                if (current == null) {
                    current = new Management(managementPort);
                }
                ModelNode state = current.execute(readServerState());
                last = state.toString();
                if ("success".equals(state.get("outcome").asString()) && "running".equals(state.get("result").asString())) {
                    return current;
                }
            } catch (RuntimeException e) {
                last = e.toString();
                if (current != null) {
                    current.close();
                }
                current = null;
            }
            Await.sleep(500);
        }
        throw new AssertionError("server-one did not run within 4 minutes: " + last + "\n" + console());
    }

    private static ModelNode readServerState() {
        ModelNode op = op("read-attribute", SERVER_ONE);
        op.get("name").set("server-state");
        return op;
    }

    /** The default host.xml starts two servers and the main group runs the full profile: one server on "default" is enough. */
    private static void trimToOneServer() throws IOException {
        Path host = DOMAIN_HOME.resolve("domain/configuration/host.xml");
        String xml = Files.readString(host);
        String trimmed = xml.replaceAll("(?s)\\s*<server name=\"server-(two|three)\".*?</server>", "")
                .replace("<server name=\"server-one\" group=\"main-server-group\"/>",
                        "<server name=\"server-one\" group=\"main-server-group\"><socket-bindings port-offset=\"" + OFFSET + "\"/></server>");
        assertTrue(trimmed.contains("port-offset=\"" + OFFSET + "\"") && !trimmed.contains("server-two"), "host.xml layout changed: " + host);
        Files.writeString(host, trimmed);

        Path domainXml = DOMAIN_HOME.resolve("domain/configuration/domain.xml");
        String config = Files.readString(domainXml);
        String oneGroup = config.replace("<server-group name=\"main-server-group\" profile=\"full\">",
                "<server-group name=\"main-server-group\" profile=\"" + PROFILE + "\">")
                .replaceFirst("<socket-binding-group ref=\"full-sockets\"/>", "<socket-binding-group ref=\"standard-sockets\"/>");
        assertTrue(oneGroup.contains("profile=\"" + PROFILE + "\">") && oneGroup.contains("ref=\"standard-sockets\"/>\n        </server-group>"),
                "domain.xml layout changed: " + domainXml);
        Files.writeString(domainXml, oneGroup);
    }

    /**
     * The provisioned installation without its standalone servers and without our modules: modules and jars as hard
     * links (never written to), everything else copied (the domain writes its configuration and data).
     */
    private static void copyWithoutOurModules(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (Stream<Path> old = Files.walk(to)) {
                for (Path p : old.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
        Path ours = from.resolve("modules/dev/adaptiveio");
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : (Iterable<Path>) all::iterator) {
                Path relative = from.relativize(source);
                String top = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
                if (top.startsWith("standalone") || source.startsWith(ours)) {
                    continue;
                }
                Path target = to.resolve(relative.toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (top.equals("modules") || source.toString().endsWith(".jar")) {
                    Files.createLink(target, source);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private record Script(int exit, String output) {
        @Override
        public String toString() {
            return "exit " + this.exit + ":\n" + this.output;
        }
    }

    /** Runs one of the distribution's scripts, as an operator would, and collects what it prints. */
    private static Script script(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", DIST_HOME.resolve("bin").resolve(name).toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(DOMAIN_HOME.getParent(), name, ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError(name + " did not finish within 5 minutes: " + Files.readString(log));
        }
        return new Script(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String console() {
        try {
            return Files.readString(DOMAIN_HOME.resolve("domain-console.log"));
        } catch (IOException e) {
            return "(no console log: " + e + ")";
        }
    }
}
