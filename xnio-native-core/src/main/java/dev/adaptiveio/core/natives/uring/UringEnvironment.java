package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import io.netty.channel.uring.IoUring;

/**
 * The facts the probe reads: properties, the OS, a few {@code /proc} files and the native
 * layer's own probe. An interface so that tests can present a machine where io_uring fails in a
 * way this kernel cannot be made to fail.
 */
interface UringEnvironment {

    /** The value of a system property, or {@code null}. */
    String property(String name);

    /** The value of an environment variable, or {@code null}. */
    String environmentVariable(String name);

    String osName();

    String osArch();

    /** The kernel release, e.g. {@code 6.1.0-18-amd64}. */
    String kernelRelease();

    /** {@code /proc/sys/kernel/io_uring_disabled}: 0, 1, 2, or -1 where the file does not exist (before 6.6). */
    int ioUringDisabledSysctl();

    /** {@code /proc/sys/kernel/io_uring_group}, or -1. */
    long ioUringGroup();

    /** The {@code Seccomp:} line of {@code /proc/self/status}: 0 none, 1 strict, 2 filter, -1 unknown. */
    int seccompMode();

    /** Soft RLIMIT_MEMLOCK in bytes, {@link Long#MAX_VALUE} for unlimited, -1 if unknown. */
    long memlockSoftLimit();

    /** Hard RLIMIT_MEMLOCK in bytes, {@link Long#MAX_VALUE} for unlimited, -1 if unknown. */
    long memlockHardLimit();

    /** The native layer's probe result (loads the native library on first use). */
    NativeProbe nativeProbe();

    /** What the native layer found. */
    final class NativeProbe {
        final boolean available;
        final Throwable cause;
        final String featureReport;

        NativeProbe(boolean available, Throwable cause, String featureReport) {
            this.available = available;
            this.cause = cause;
            this.featureReport = featureReport;
        }
    }

    static UringEnvironment system() {
        return SystemEnvironment.INSTANCE;
    }

    /** The real machine. */
    final class SystemEnvironment implements UringEnvironment {
        static final SystemEnvironment INSTANCE = new SystemEnvironment();

        private SystemEnvironment() {
        }

        @Override
        public String property(String name) {
            return System.getProperty(name);
        }

        @Override
        public String environmentVariable(String name) {
            return System.getenv(name);
        }

        @Override
        public String osName() {
            return System.getProperty("os.name", "");
        }

        @Override
        public String osArch() {
            return System.getProperty("os.arch", "");
        }

        @Override
        public String kernelRelease() {
            String release = readFirstLine(Paths.get("/proc/sys/kernel/osrelease"));
            return release != null ? release.trim() : System.getProperty("os.version", "");
        }

        @Override
        public int ioUringDisabledSysctl() {
            return (int) readLong(Paths.get("/proc/sys/kernel/io_uring_disabled"));
        }

        @Override
        public long ioUringGroup() {
            return readLong(Paths.get("/proc/sys/kernel/io_uring_group"));
        }

        @Override
        public int seccompMode() {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("Seccomp:")) {
                        return Integer.parseInt(line.substring("Seccomp:".length()).trim());
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // not Linux, or /proc hidden
            }
            return -1;
        }

        @Override
        public long memlockSoftLimit() {
            return memlock(0);
        }

        @Override
        public long memlockHardLimit() {
            return memlock(1);
        }

        private static long memlock(int which) {
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                    if (line.startsWith("Max locked memory")) {
                        String[] parts = line.substring("Max locked memory".length()).trim().split("\\s+");
                        String v = parts[which];
                        return "unlimited".equals(v) ? Long.MAX_VALUE : Long.parseLong(v);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // unknown
            }
            return -1;
        }

        @Override
        public NativeProbe nativeProbe() {
            return NativeProbeHolder.PROBE;
        }

        private static String readFirstLine(Path path) {
            try {
                List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
                return lines.isEmpty() ? null : lines.get(0);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        private static long readLong(Path path) {
            String line = readFirstLine(path);
            if (line == null) {
                return -1;
            }
            try {
                return Long.parseLong(line.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** Netty probes once per class loader; so do we. */
    final class NativeProbeHolder {
        static final NativeProbe PROBE = load();

        private NativeProbeHolder() {
        }

        private static NativeProbe load() {
            try {
                boolean available = IoUring.isAvailable();
                return new NativeProbe(available, IoUring.unavailabilityCause(), IoUring.featureString());
            } catch (LinkageError | RuntimeException e) {
                return new NativeProbe(false, e, "");
            }
        }
    }
}
