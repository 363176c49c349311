package dev.adaptiveio.wildfly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;

/** Class loaders that expose exactly the given XNIO providers, whatever else is on the test class path. */
final class ProviderLoaders {

    private static final String SERVICES = "META-INF/services/org.xnio.XnioProvider";

    static ClassLoader only(String... providerClassNames) {
        try {
            Path file = Files.createTempFile("xnio-providers", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n", providerClassNames) + "\n", StandardCharsets.UTF_8);
            URL url = file.toUri().toURL();
            return new ClassLoader(ProviderLoaders.class.getClassLoader()) {
                @Override
                public Enumeration<URL> getResources(String name) throws IOException {
                    return SERVICES.equals(name) ? Collections.enumeration(java.util.List.of(url)) : super.getResources(name);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProviderLoaders() {
    }
}
