package dev.adaptiveio.wildfly.arquillian;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import dev.adaptiveio.wildfly.arquillian.app.AsyncServlet;
import dev.adaptiveio.wildfly.arquillian.app.EchoServlet;
import dev.adaptiveio.wildfly.arquillian.app.EngineHeaderFilter;
import dev.adaptiveio.wildfly.arquillian.app.PlaintextServlet;

/** The servlet app every test deploys: {@code /app/plaintext}, {@code /app/echo}, {@code /app/async}. */
final class TestApp {

    static final String CONTEXT = "/app";

    private TestApp() {
    }

    static WebArchive war() {
        return ShrinkWrap.create(WebArchive.class, "app.war")
                .addClasses(EngineHeaderFilter.class, PlaintextServlet.class, EchoServlet.class, AsyncServlet.class)
                // The filter reads the Undertow exchange and its XNIO I/O thread.
                .setManifest(new StringAsset("Manifest-Version: 1.0\nDependencies: io.undertow.core,io.undertow.servlet,org.jboss.xnio\n"));
    }
}
