package dev.adaptiveio.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The core's layering, read from its sources: the packages form no cycle (natives and log at
 * the bottom, then loop, conn, server, worker; arrows that must point up go through interfaces
 * such as {@code LoopOwner} and {@code ServerHost}), and only {@code natives} uses Netty.
 */
class CoreLayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/adaptiveio/core");
    private static final Pattern CORE_REFERENCE = Pattern.compile("\\bdev\\.adaptiveio\\.core\\.([a-z]+)\\.[A-Z]");

    @Test
    void corePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = packageGraph();
        assertTrue(uses.keySet().containsAll(List.of("conn", "loop", "server", "worker", "natives")),
                "the scan found the core's packages: " + uses.keySet());
        List<String> cycle = findCycle(uses);
        assertEquals(List.of(), cycle, "package cycle in xnio-native-core (graph: " + uses + ")");
    }

    @Test
    void onlyNativesUsesNetty() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            if (!pkg.equals("natives") && !pkg.startsWith("natives/")
                    && Files.readString(file).contains("io.netty.")) {
                offenders.add(SOURCES.relativize(file).toString());
            }
        }
        assertEquals(List.of(), offenders, "Netty is used only inside dev.adaptiveio.core.natives");
    }

    /** A cycle found by the test itself, so a passing run means something. */
    @Test
    void cycleSearchFindsACycle() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a"));
        assertEquals(List.of("a", "b", "c", "a"), findCycle(graph));
    }

    private static Map<String, Set<String>> packageGraph() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : javaFiles()) {
            String from = topPackage(file);
            Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher m = CORE_REFERENCE.matcher(Files.readString(file));
            while (m.find()) {
                if (!m.group(1).equals(from)) {
                    to.add(m.group(1));
                }
            }
        }
        return uses;
    }

    private static List<String> findCycle(Map<String, Set<String>> graph) {
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (walk(graph, start, start, path, new TreeSet<>())) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean walk(Map<String, Set<String>> graph, String start, String at, List<String> path,
                                Set<String> seen) {
        path.add(at);
        for (String next : graph.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                path.add(next);
                return true;
            }
            if (seen.add(next) && walk(graph, start, next, path, seen)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        return false;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> s = Files.walk(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    /** The package below core, path form ({@code natives/uring}); "" for core itself. */
    private static String packageOf(Path file) {
        Path dir = SOURCES.relativize(file).getParent();
        return dir == null ? "" : dir.toString();
    }

    /** The first package below core ({@code natives} for natives/uring); "core" for core itself. */
    private static String topPackage(Path file) {
        String pkg = packageOf(file);
        return pkg.isEmpty() ? "core" : pkg.split("/")[0];
    }
}
