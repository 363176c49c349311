package dev.adaptiveio.core.natives.uring;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Turns what the environment says into a {@link UringViability}: the verdict, the exact cause and
 * the fix.
 */
final class UringProbe {

    /** {@code disabled} (also {@code false}, {@code off}) turns io_uring off on purpose. */
    static final String PROPERTY = "adaptiveio.io_uring";
    static final String ENVIRONMENT_VARIABLE = "ADAPTIVEIO_IO_URING";

    private static final int MIN_MAJOR = 5;
    private static final int MIN_MINOR = 11;

    private UringProbe() {
    }

    static UringViability probe(UringEnvironment env) {
        String kernel = env.kernelRelease();
        String switchValue = env.property(PROPERTY);
        String switchSource = "-D" + PROPERTY + "=" + switchValue;
        if (switchValue == null) {
            switchValue = env.environmentVariable(ENVIRONMENT_VARIABLE);
            switchSource = ENVIRONMENT_VARIABLE + "=" + switchValue;
        }
        if (switchValue != null && isOff(switchValue)) {
            return unusable(UringCause.DISABLED_BY_PROPERTY, "turned off on purpose with " + switchSource,
                    "remove " + switchSource + " to allow io_uring", kernel, null);
        }
        String os = env.osName();
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return unusable(UringCause.UNSUPPORTED_PLATFORM, "io_uring is a Linux interface and this is " + os,
                    "run on Linux 5.11 or later (6.1+ recommended), or use the epoll or nio provider", kernel, null);
        }
        int[] version = parseKernel(kernel);
        if (version != null && (version[0] < MIN_MAJOR || version[0] == MIN_MAJOR && version[1] < MIN_MINOR)) {
            return unusable(UringCause.KERNEL_TOO_OLD, "kernel " + kernel + " is older than "
                    + MIN_MAJOR + "." + MIN_MINOR, upgradeFix(), kernel, null);
        }
        UringEnvironment.NativeProbe nativeProbe = env.nativeProbe();
        if (!nativeProbe.available) {
            return classify(env, nativeProbe.cause);
        }
        return new UringViability(UringCause.AVAILABLE, "io_uring works on kernel " + kernel, "",
                parseFeatures(nativeProbe.featureReport), kernel, null);
    }

    /** Explains a failure of the native layer (its probe, or creating a ring later). */
    static UringViability classify(UringEnvironment env, Throwable failure) {
        UringViability v = classify0(env, failure);
        String nativeError = messages(failure);
        if (nativeError.isEmpty() || v.detail().contains(nativeError)) {
            return v;
        }
        return new UringViability(v.cause(), v.detail() + " (native error: " + nativeError + ")", v.fix(),
                v.features(), v.kernelRelease(), failure);
    }

    private static UringViability classify0(UringEnvironment env, Throwable failure) {
        String kernel = env.kernelRelease();
        String messages = messages(failure);
        String lower = messages.toLowerCase(Locale.ROOT);
        String detail = messages.isEmpty() ? String.valueOf(failure) : messages;

        if (lower.contains("operation not permitted")) {
            int sysctl = env.ioUringDisabledSysctl();
            if (sysctl == 2) {
                return unusable(UringCause.DISABLED_BY_SYSCTL,
                        "io_uring_setup failed with EPERM: /proc/sys/kernel/io_uring_disabled is 2 (disabled for all)",
                        "sysctl -w kernel.io_uring_disabled=0 (persist it in /etc/sysctl.d/), or use the epoll provider",
                        kernel, failure);
            }
            if (sysctl == 1) {
                long group = env.ioUringGroup();
                return unusable(UringCause.DISABLED_BY_SYSCTL,
                        "io_uring_setup failed with EPERM: /proc/sys/kernel/io_uring_disabled is 1 (only root and group "
                                + (group >= 0 ? String.valueOf(group) : "kernel.io_uring_group") + " may use it)",
                        "add the server's user to the group in /proc/sys/kernel/io_uring_group"
                                + (group >= 0 ? " (gid " + group + ")" : "")
                                + ", or sysctl -w kernel.io_uring_disabled=0", kernel, failure);
            }
            if (env.seccompMode() == 2) {
                return unusable(UringCause.BLOCKED_BY_SECCOMP, seccompDetail("EPERM"), seccompFix(), kernel, failure);
            }
            return unusable(UringCause.NOT_PERMITTED,
                    "io_uring_setup failed with EPERM and neither kernel.io_uring_disabled nor seccomp explains it",
                    "check the security module (SELinux: io_uring class permissions; AppArmor profile) "
                            + "and the container runtime; or use the epoll provider", kernel, failure);
        }
        if (lower.contains("function not implemented")) {
            if (env.seccompMode() == 2) {
                return unusable(UringCause.BLOCKED_BY_SECCOMP, seccompDetail("ENOSYS"), seccompFix(), kernel, failure);
            }
            return unusable(UringCause.KERNEL_TOO_OLD,
                    "io_uring_setup is not implemented by kernel " + kernel + " (built without CONFIG_IO_URING)",
                    upgradeFix(), kernel, failure);
        }
        if (lower.contains("cannot allocate memory") || lower.contains("memlock")) {
            return unusable(UringCause.MEMLOCK_EXHAUSTED,
                    "io_uring_setup failed with ENOMEM; RLIMIT_MEMLOCK is " + limit(env.memlockSoftLimit())
                            + " (hard " + limit(env.memlockHardLimit()) + ")",
                    "raise the locked-memory limit: ulimit -l unlimited, systemd LimitMEMLOCK=infinity, "
                            + "docker --ulimit memlock=-1:-1 (kernels before 5.12 charge rings to RLIMIT_MEMLOCK; "
                            + "later ones to the memory cgroup: raise the container's memory limit); "
                            + "or lower -D" + RingConfig.RING_SIZE_PROPERTY, kernel, failure);
        }
        if (lower.contains("at least kernel version") || lower.contains("not all operations are supported")
                || lower.contains("submit_stable")) {
            return unusable(UringCause.KERNEL_TOO_OLD, detail, upgradeFix(), kernel, failure);
        }
        if (lower.contains("nonative") || lower.contains("explicit disabled")) {
            return unusable(UringCause.DISABLED_BY_PROPERTY, detail,
                    "remove the Netty noNative system property from the JVM's options", kernel, failure);
        }
        if (hasLinkageError(failure) || lower.contains("only supported on linux")
                || lower.contains("failed to load the required native library")) {
            return unusable(UringCause.NATIVE_LIBRARY_MISSING, "the io_uring native library for " + env.osName() + "/"
                            + env.osArch() + " could not be loaded: " + detail,
                    "put the xnio-native-core jar (it bundles the native library) on the class path unmodified; "
                            + "if the temp directory is mounted noexec, point "
                            + "-Ddev.adaptiveio.shaded.io.netty.native.workdir at a directory that allows execution",
                    kernel, failure);
        }
        return unusable(UringCause.SETUP_FAILED, detail,
                "run java -cp <xnio-native-core jar> " + IoUringDiagnostics.class.getName()
                        + " for details; use the epoll provider meanwhile", kernel, failure);
    }

    static Set<UringFeature> parseFeatures(String report) {
        EnumSet<UringFeature> set = EnumSet.noneOf(UringFeature.class);
        if (report == null) {
            return set;
        }
        for (UringFeature f : UringFeature.values()) {
            if (report.contains(f.nativeKey() + "=true")) {
                set.add(f);
            }
        }
        return set;
    }

    /** {@code [major, minor]} of a release string such as {@code 6.1.0-18-amd64}, or {@code null}. */
    static int[] parseKernel(String release) {
        if (release == null) {
            return null;
        }
        String[] parts = release.split("[.\\-+]");
        if (parts.length < 2) {
            return null;
        }
        try {
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isOff(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("disabled") || v.equals("false") || v.equals("off");
    }

    private static String seccompDetail(String errno) {
        return "io_uring_setup failed with " + errno + " under a seccomp filter (Seccomp: 2 in /proc/self/status): "
                + "the container's seccomp profile blocks the io_uring system calls";
    }

    private static String seccompFix() {
        return "allow io_uring_setup, io_uring_enter and io_uring_register in the seccomp profile "
                + "(docker/podman: --security-opt seccomp=<profile that allows them>; Kubernetes: "
                + "securityContext.seccompProfile with such a profile), or use the epoll provider";
    }

    private static String upgradeFix() {
        return "upgrade to Linux 5.11 or later (6.1+ for the best tier), or use the epoll provider";
    }

    private static String limit(long v) {
        if (v == Long.MAX_VALUE) {
            return "unlimited";
        }
        return v < 0 ? "unknown" : v + " bytes";
    }

    private static boolean hasLinkageError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof LinkageError) {
                return true;
            }
        }
        return false;
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isEmpty() && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
            for (Throwable s : c.getSuppressed()) {
                if (s.getMessage() != null && sb.indexOf(s.getMessage()) < 0) {
                    sb.append(" (").append(s.getMessage()).append(')');
                }
            }
        }
        return sb.toString();
    }

    private static UringViability unusable(UringCause cause, String detail, String fix, String kernel, Throwable error) {
        return new UringViability(cause, detail, fix, EnumSet.noneOf(UringFeature.class), kernel, error);
    }
}
