package dev.adaptiveio.wildfly.arquillian;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/** Facts about the provisioned server and what our distribution installed into it. */
final class Installed {

    static final Path JBOSS_HOME = Path.of(System.getProperty("jboss.home", "target/wildfly-39.0.1.Final"));
    /** Where install.sh puts the engine module, or where the Galleon feature pack does (system/layers/base). */
    static final Path ENGINE_MODULE = Files.isDirectory(JBOSS_HOME.resolve("modules/dev/adaptiveio/xnio/main"))
            ? JBOSS_HOME.resolve("modules/dev/adaptiveio/xnio/main")
            : JBOSS_HOME.resolve("modules/system/layers/base/dev/adaptiveio/xnio/main");

    private Installed() {
    }

    /**
     * True when the installed {@code dev.adaptiveio.xnio} module holds an XNIO provider service for the
     * {@code adaptive} engine (adaptive-selector). The wildfly-subsystem distribution does not ship it yet.
     */
    static boolean adaptiveEngineShipped() {
        try (Stream<Path> jars = Files.list(ENGINE_MODULE)) {
            return jars.filter(p -> p.toString().endsWith(".jar")).anyMatch(Installed::declaresAdaptiveProvider);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean declaresAdaptiveProvider(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            ZipEntry services = file.getEntry("META-INF/services/org.xnio.XnioProvider");
            if (services == null) {
                return false;
            }
            String text = new String(file.getInputStream(services).readAllBytes(), StandardCharsets.UTF_8);
            return text.contains("dev.adaptiveio.adaptive.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String serverConfig(String baseDir) {
        try {
            return Files.readString(JBOSS_HOME.resolve(baseDir).resolve("configuration/standalone.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
