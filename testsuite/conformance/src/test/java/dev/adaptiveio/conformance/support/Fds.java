package dev.adaptiveio.conformance.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** This process's open file descriptors, from /proc/self/fd. */
public final class Fds {
    private Fds() {
    }

    /**
     * fd number to link target ("socket:[123]", "anon_inode:[eventpoll]", a path...), leaving out
     * /sys and /proc files: the JVM reads its container metrics (e.g. the cgroup's memory.stat)
     * through short-lived fds at moments of its own choosing, and no I/O provider opens those.
     */
    public static Map<Integer, String> snapshot() {
        Map<Integer, String> fds = new TreeMap<>();
        Path dir = Path.of("/proc/self/fd");
        List<Path> entries;
        try (Stream<Path> list = Files.list(dir)) { // this listing's own fd is closed before we return
            entries = list.toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc/self/fd", e);
        }
        for (Path p : entries) {
            String target;
            try {
                target = Files.readSymbolicLink(p).toString();
            } catch (IOException e) {
                continue; // the directory stream's own fd, gone by now
            }
            if (!target.startsWith("/sys/") && !target.startsWith("/proc/")) {
                fds.put(Integer.valueOf(p.getFileName().toString()), target);
            }
        }
        return fds;
    }

    /**
     * A snapshot that two listings 50 ms apart agree on. The JVM itself briefly opens files (for
     * example cgroup memory.stat for its container metrics); such an fd in one listing is not a leak.
     */
    public static Map<Integer, String> stableSnapshot() throws InterruptedException {
        Map<Integer, String> previous = snapshot();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(50);
            Map<Integer, String> current = snapshot();
            if (current.equals(previous)) {
                return current;
            }
            previous = current;
        }
        return previous;
    }

    /** Kinds of fds added or removed between two snapshots, for failure messages. */
    public static String diff(Map<Integer, String> before, Map<Integer, String> after) {
        Map<String, Integer> delta = new TreeMap<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd))) {
                delta.merge(kind(target), 1, Integer::sum);
            }
        });
        before.forEach((fd, target) -> {
            if (!target.equals(after.get(fd))) {
                delta.merge(kind(target), -1, Integer::sum);
            }
        });
        delta.values().removeIf(v -> v == 0);
        List<String> sample = new ArrayList<>();
        after.forEach((fd, target) -> {
            if (!target.equals(before.get(fd)) && sample.size() < 20) {
                sample.add(fd + "->" + target);
            }
        });
        return "delta by kind " + delta + ", new fds (first 20) " + sample;
    }

    private static String kind(String target) {
        int bracket = target.indexOf(":[");
        return bracket > 0 ? target.substring(0, bracket) : target;
    }
}
