package dev.adaptiveio.adaptive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.adaptiveio.core.natives.uring.RingConfig;

/**
 * The locked-memory budget io_uring rings draw on. Before Linux 5.12 ring memory counts against
 * {@code RLIMIT_MEMLOCK}; from 5.12 on it is charged to the memory cgroup instead, and no
 * budget applies.
 */
final class LockedMemory {

    private LockedMemory() {
    }

    static boolean appliesToRings() {
        String release = System.getProperty("os.version", "");
        String[] parts = release.split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major < 5 || (major == 5 && minor < 12);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code RLIMIT_MEMLOCK} of this process in bytes, from /proc/self/limits. */
    static long limitBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max locked memory")) {
                    String soft = line.substring("Max locked memory".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: no budget
        }
        return Long.MAX_VALUE;
    }

    /** A ring's submission and completion queues (64 + 2 x 16 bytes an entry) plus their headers. */
    static long perRingBytes() {
        int entries = RingConfig.fromSystemProperties().ringSize();
        return entries * (64L + 2 * 16L) + 2 * 4096L;
    }
}
