package dev.adaptiveio.core.natives.uring;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Prints what io_uring can do on this machine and why adaptive-io would or would not use it.
 * <pre>
 * java -cp xnio-native-core-&lt;version&gt;.jar dev.adaptiveio.core.natives.uring.IoUringDiagnostics
 * </pre>
 * Exit status 0 when io_uring is usable, 1 when it is not.
 */
public final class IoUringDiagnostics {

    private IoUringDiagnostics() {
    }

    public static void main(String[] args) {
        boolean usable = report(UringEnvironment.system(), System.out);
        System.exit(usable ? 0 : 1);
    }

    static boolean report(UringEnvironment env, PrintStream out) {
        UringViability v = UringProbe.probe(env);
        out.println("adaptive-io io_uring diagnostics");
        out.println("  verdict           : " + (v.isViable() ? "USABLE" : "NOT USABLE"));
        out.println("  cause             : " + v.cause());
        out.println("  detail            : " + v.detail());
        if (!v.isViable()) {
            out.println("  fix               : " + v.fix());
        }
        out.println("  tier              : " + v.tier() + " - " + v.tier().description());
        out.println("  kernel            : " + v.kernelRelease());
        out.println("  os/arch           : " + env.osName() + "/" + env.osArch() + ", Java " + System.getProperty("java.version"));
        out.println("  io_uring_disabled : " + sysctl(env.ioUringDisabledSysctl()));
        out.println("  seccomp           : " + seccomp(env.seccompMode()));
        out.println("  RLIMIT_MEMLOCK    : " + bytes(env.memlockSoftLimit()) + " (hard " + bytes(env.memlockHardLimit()) + ")");
        out.println("  switch            : -D" + UringProbe.PROPERTY + "=" + orUnset(env.property(UringProbe.PROPERTY))
                + ", " + UringProbe.ENVIRONMENT_VARIABLE + "=" + orUnset(env.environmentVariable(UringProbe.ENVIRONMENT_VARIABLE)));
        RingConfig config = null;
        try {
            config = RingConfig.fromSystemProperties();
            out.println("  ring config       : " + config);
        } catch (IllegalArgumentException e) {
            out.println("  ring config       : INVALID: " + e.getMessage());
        }
        if (v.isViable()) {
            out.println("  features:");
            for (UringFeature f : UringFeature.values()) {
                out.printf("    %-22s %-3s %s%n", f, v.features().contains(f) ? "yes" : "no", f.description());
            }
            if (config != null) {
                out.println("  smoke test        : " + smokeTest(config));
            }
            out.println("  engine choice     : the io_uring provider can start; the adaptive provider may pick io_uring");
        } else {
            out.println("  engine choice     : the io_uring provider refuses to start with the cause above;"
                    + " the adaptive provider uses epoll");
        }
        return v.isViable();
    }

    /** Creates a ring with the configured size on this thread and times a NOP round trip through it. */
    static String smokeTest(RingConfig config) {
        Queue<Runnable> tasks = new ArrayDeque<>();
        Ring ring;
        try {
            ring = Ring.open(Thread.currentThread(), tasks::add, config);
        } catch (Exception e) {
            return "FAILED to create a ring: " + e.getMessage();
        }
        try {
            ring.initialize();
            boolean[] done = {false};
            int[] result = {Integer.MIN_VALUE};
            RingHandle handle = ring.register(-1, (h, kind, tag, res, flags) -> {
                done[0] = true;
                result[0] = res;
            });
            long start = System.nanoTime();
            handle.nop(0);
            long deadline = start + TimeUnit.SECONDS.toNanos(5);
            while (!done[0] && System.nanoTime() < deadline) {
                ring.poll(() -> true, deadline);
            }
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            handle.release(false);
            if (!done[0]) {
                return "FAILED: no completion for a NOP within 5 s";
            }
            return "ring created, NOP completed with " + result[0] + " in " + micros + " us";
        } catch (Exception e) {
            return "FAILED: " + e;
        } finally {
            ring.close();
        }
    }

    private static String orUnset(String v) {
        return v == null ? "<unset>" : v;
    }

    private static String sysctl(int v) {
        switch (v) {
            case -1: return "absent (kernel before 6.6: no switch)";
            case 0: return "0 (enabled)";
            case 1: return "1 (root and kernel.io_uring_group only)";
            case 2: return "2 (disabled for everyone)";
            default: return String.valueOf(v);
        }
    }

    private static String seccomp(int v) {
        switch (v) {
            case 0: return "0 (no filter)";
            case 1: return "1 (strict)";
            case 2: return "2 (filter active: containers often block io_uring)";
            default: return "unknown";
        }
    }

    private static String bytes(long v) {
        return v == Long.MAX_VALUE ? "unlimited" : v < 0 ? "unknown" : v + " bytes";
    }
}
