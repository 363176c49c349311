package dev.adaptiveio.wildfly.arquillian;

import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NamingException;

import org.jboss.remoting3.Endpoint;

import dev.adaptiveio.wildfly.arquillian.ejb.RemoteEcho;

/**
 * A standalone EJB client of {@link RemoteEcho} over {@code remote+http://127.0.0.1:<port>}, as an application outside
 * the server would run it: wildfly-naming-client's {@code InitialContext} for the lookup, the proxy it returns for the
 * calls (bound to that URI), JBoss Remoting on the client's own NIO XNIO worker.
 * <p>
 * Each client has its own Remoting {@link Endpoint}, hence its own connection: Remoting shares one connection per URI
 * within an endpoint, and a test that wants a new connection (after a {@code force-switch}) needs a second client.
 * The EJB and naming clients find the endpoint through {@link Endpoint#getCurrent()} on the calling thread, so every
 * use goes through {@link #call}. Authentication: Elytron's default client configuration, i.e. {@code JBOSS-LOCAL-USER}
 * (the test runs on the server's machine as the same user), which the stock {@code application-sasl-authentication}
 * offers and maps to {@code $local} in {@code ApplicationDomain}.
 */
final class EjbClient implements AutoCloseable {

    static final String DEPLOYMENT = "remoting-ejb";
    /** The bean's remote view as the server exports it ({@code java:jboss/exported/...}). */
    static final String JNDI_NAME = DEPLOYMENT + "/EchoBean!" + RemoteEcho.class.getName();

    private static final int CONNECT_TIMEOUT_SECONDS = 60;

    final int port;
    private final Endpoint endpoint;
    private final Context naming;
    private final RemoteEcho bean;

    EjbClient(String name, int port) throws Exception {
        this.port = port;
        this.endpoint = Endpoint.builder().setEndpointName(name).build();
        Properties env = new Properties();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "org.wildfly.naming.client.WildFlyInitialContextFactory");
        env.put(Context.PROVIDER_URL, uri(port));
        // The naming client waits for the connection without a timeout: connect and look up on a helper thread, bounded.
        ExecutorService connecting = Executors.newSingleThreadExecutor();
        try {
            Context context = connecting.submit(() -> this.endpoint.runCallable(() -> new InitialContext(env))).get();
            this.naming = context;
            this.bean = (RemoteEcho) connecting.submit(() -> this.endpoint.runCallable(() -> context.lookup(JNDI_NAME)))
                    .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            this.endpoint.close();
            throw new AssertionError("no JNDI answer over " + uri(port) + " within " + CONNECT_TIMEOUT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            this.endpoint.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            connecting.shutdownNow();
        }
    }

    static String uri(int port) {
        return "remote+http://" + HttpConnection.HOST + ":" + port;
    }

    /** Runs {@code action} on the bean's proxy with this client's endpoint current. */
    <T> T call(Function<RemoteEcho, T> action) {
        return within(() -> action.apply(this.bean));
    }

    /** Runs a JNDI lookup through this client's naming context. */
    Object lookup(String name) throws NamingException {
        try {
            return within(() -> this.naming.lookup(name));
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof NamingException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private <T> T within(Callable<T> action) {
        try {
            return this.endpoint.runCallable(action);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            this.naming.close();
        } catch (NamingException ignored) {
            // closing the endpoint below closes the connection either way
        }
        this.endpoint.close();
    }
}
