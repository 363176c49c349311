package dev.adaptiveio.wildfly.arquillian;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Reads a test server's {@code server.log}: whole entries (a line with its stack trace), by level and content. */
final class ServerLog {

    /** WildFly's default pattern: {@code 2026-11-26 09:10:00,123 ERROR [category] (thread) message}. */
    private static final Pattern ENTRY_START = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} ");
    private static final Pattern OURS = Pattern.compile("dev\\.adaptiveio|ADAPTIVEIO\\d|ADIOWF\\d");

    private final Path file;

    ServerLog(String baseDir) {
        this.file = Installed.JBOSS_HOME.resolve(baseDir).resolve("log/server.log");
    }

    static ServerLog shared() {
        return new ServerLog("standalone");
    }

    List<String> entries() {
        List<String> lines;
        try {
            lines = Files.readAllLines(this.file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> entries = new ArrayList<>();
        StringBuilder current = null;
        for (String line : lines) {
            if (ENTRY_START.matcher(line).find()) {
                if (current != null) {
                    entries.add(current.toString());
                }
                current = new StringBuilder(line);
            } else if (current != null) {
                current.append('\n').append(line);
            }
        }
        if (current != null) {
            entries.add(current.toString());
        }
        return entries;
    }

    List<String> entriesContaining(String text) {
        return entries().stream().filter(e -> e.contains(text)).toList();
    }

    /** ERROR entries that come from our code or name it (category, message id or stack frame), minus the expected ones. */
    List<String> errorsFromOurCode(Predicate<String> expected) {
        return entries().stream()
                .filter(e -> e.substring(0, Math.min(e.length(), 40)).contains(" ERROR "))
                .filter(e -> OURS.matcher(e).find())
                .filter(expected.negate())
                .toList();
    }

    /** Fails the test with the offending entries if our code logged an ERROR that was not expected. */
    void assertNoErrorFromOurCode(Predicate<String> expected) {
        List<String> errors = errorsFromOurCode(expected);
        if (!errors.isEmpty()) {
            throw new AssertionError(this.file + " has " + errors.size() + " ERROR entr" + (errors.size() == 1 ? "y" : "ies")
                    + " from adaptive-io:\n" + String.join("\n---\n", errors));
        }
    }

    void assertNoErrorFromOurCode() {
        assertNoErrorFromOurCode(e -> false);
    }

    /**
     * Like {@link #assertNoErrorFromOurCode(Predicate)} but only for the entries after {@code from} (an entry count
     * from {@link #entryCount()}), so each ERROR fails the one test class during which it was logged.
     */
    void assertNoErrorFromOurCodeSince(int from, Predicate<String> expected) {
        List<String> all = entries();
        List<String> errors = all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter(e -> e.substring(0, Math.min(e.length(), 40)).contains(" ERROR "))
                .filter(e -> OURS.matcher(e).find())
                .filter(expected.negate())
                .toList();
        if (!errors.isEmpty()) {
            throw new AssertionError(this.file + " has " + errors.size() + " new ERROR entr" + (errors.size() == 1 ? "y" : "ies")
                    + " from adaptive-io:\n" + String.join("\n---\n", errors));
        }
    }

    int entryCount() {
        return entries().size();
    }
}
