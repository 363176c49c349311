package dev.adaptiveio.conformance.support;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The XNIO provider names the suite runs on, from {@code -Dadaptiveio.providers=a,b} (default {@code nio}). */
public final class Providers {
    public static final String PROPERTY = "adaptiveio.providers";

    private Providers() {
    }

    public static List<String> list() {
        String raw = System.getProperty(PROPERTY, "");
        if (raw.isBlank()) {
            raw = "nio";
        }
        List<String> names = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
        if (names.isEmpty()) {
            throw new IllegalStateException("-D" + PROPERTY + " names no provider: '" + raw + "'");
        }
        return names;
    }

    /** Argument source for {@link EachProvider}. */
    public static Stream<String> names() {
        return list().stream();
    }
}
