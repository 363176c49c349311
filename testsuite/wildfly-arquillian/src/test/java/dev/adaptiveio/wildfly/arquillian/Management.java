package dev.adaptiveio.wildfly.arquillian;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;

import org.jboss.as.controller.client.ModelControllerClient;
import org.jboss.dmr.ModelNode;

/**
 * A management client of one test server (local user, so SuperUser under RBAC), with the operations the tests
 * repeat. Operations that must succeed throw an {@link AssertionError} carrying the server's answer otherwise.
 */
final class Management implements AutoCloseable {

    private final int port;
    private ModelControllerClient client;

    Management(int port) {
        this.port = port;
        this.client = connect(port);
    }

    private static ModelControllerClient connect(int port) {
        try {
            return ModelControllerClient.Factory.create("remote+http", InetAddress.getByName("127.0.0.1"), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelNode op(String name, String... address) {
        ModelNode op = new ModelNode();
        op.get("operation").set(name);
        ModelNode addr = op.get("address").setEmptyList();
        for (String element : address) {
            int eq = element.indexOf('=');
            addr.add(element.substring(0, eq), element.substring(eq + 1));
        }
        return op;
    }

    static String[] worker(String name) {
        return new String[] { "subsystem=adaptive-io", "worker=" + name };
    }

    static String[] httpListener(String name) {
        return new String[] { "subsystem=undertow", "server=default-server", "http-listener=" + name };
    }

    /** The operation run as if by a user in {@code role} (RBAC's run-as-role header; the caller is SuperUser). */
    static ModelNode asRole(ModelNode op, String role) {
        op.get("operation-headers", "roles").set(role);
        return op;
    }

    ModelNode execute(ModelNode op) {
        try {
            return this.client.execute(op);
        } catch (IOException e) {
            throw new UncheckedIOException("management operation " + op + " on port " + this.port, e);
        }
    }

    /** Runs an operation that must succeed; returns its result. */
    ModelNode ok(ModelNode op) {
        ModelNode response = execute(op);
        if (!"success".equals(response.get("outcome").asString())) {
            throw new AssertionError("Operation failed: " + op.toJSONString(true) + "\n -> " + response);
        }
        return response.get("result");
    }

    /** Runs an operation that must fail; returns its failure description. */
    String fails(ModelNode op) {
        ModelNode response = execute(op);
        if (!"failed".equals(response.get("outcome").asString())) {
            throw new AssertionError("Operation should have failed: " + op.toJSONString(true) + "\n -> " + response);
        }
        return response.get("failure-description").asString();
    }

    ModelNode readRuntime(String... address) {
        ModelNode op = op("read-resource", address);
        op.get("include-runtime").set(true);
        return ok(op);
    }

    ModelNode readAttribute(String attribute, String... address) {
        ModelNode op = op("read-attribute", address);
        op.get("name").set(attribute);
        return ok(op);
    }

    void writeAttribute(String attribute, String value, String... address) {
        ModelNode op = op("write-attribute", address);
        op.get("name").set(attribute);
        op.get("value").set(value);
        ok(op);
    }

    String serverState() {
        return readAttribute("server-state").asString();
    }

    /** Reloads the server and waits (bounded) until it runs again. */
    void reload() {
        try {
            this.client.execute(op("reload"));
        } catch (IOException e) {
            // The server may close the channel before the answer arrives: it is reloading either way.
        }
        closeQuietly();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String last = "no answer";
        Await.sleep(500);
        while (System.nanoTime() < deadline) {
            this.client = connect(this.port);
            try {
                ModelNode response = this.client.execute(stateOp());
                if ("success".equals(response.get("outcome").asString())) {
                    last = response.get("result").asString();
                    if ("running".equals(last)) {
                        return;
                    }
                }
            } catch (IOException | RuntimeException e) {
                last = e.toString();
            }
            closeQuietly();
            Await.sleep(250);
        }
        throw new AssertionError("Server on management port " + this.port + " did not come back from reload: " + last);
    }

    private static ModelNode stateOp() {
        ModelNode op = op("read-attribute");
        op.get("name").set("server-state");
        return op;
    }

    private void closeQuietly() {
        try {
            this.client.close();
        } catch (IOException ignored) {
            // reconnecting anyway
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
