package dev.adaptiveio.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The XSD published in docs/schema is the one in the jar (which the schema test validates the XML against). */
class PublishedSchemaTest {

    @Test
    void docsCopyMatchesTheJar() throws Exception {
        String name = "schema/adaptive-io_1_0.xsd";
        String inJar;
        try (InputStream in = AdaptiveIoExtension.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name);
            inJar = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path docs = Path.of(System.getProperty("basedir", "."), "..", "docs", name);
        assertEquals(inJar, Files.readString(docs), docs + " differs from src/main/resources/" + name + ": copy it over");
    }
}
