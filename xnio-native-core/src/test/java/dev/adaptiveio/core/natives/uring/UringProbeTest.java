package dev.adaptiveio.core.natives.uring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every way io_uring can be unusable, through the environment seam, and the verdict on this
 * machine. Real failures forced in child JVMs are in {@link UringFailurePathsTest}.
 */
class UringProbeTest {

    private static final RuntimeException EPERM =
            new RuntimeException("failed to create io_uring ring fd: Operation not permitted");
    private static final RuntimeException ENOSYS =
            new RuntimeException("failed to create io_uring ring fd: Function not implemented");
    private static final RuntimeException ENOMEM = new RuntimeException("failed to allocate memory for io_uring ring; "
            + "try raising memlock limit (see getrlimit(RLIMIT_MEMLOCK, ...) or ulimit -l): Cannot allocate memory");

    @Test
    void availableWithAllFeaturesIsTheTopTier() {
        UringViability v = UringProbe.probe(new FakeEnvironment());
        assertTrue(v.isViable());
        assertEquals(UringCause.AVAILABLE, v.cause());
        assertEquals(UringTier.DEFER_TASKRUN, v.tier());
        assertTrue(v.features().contains(UringFeature.ACCEPT_MULTISHOT));
        assertFalse(v.features().contains(UringFeature.ENTER_NO_IOWAIT));
        assertEquals("", v.fix());
    }

    @Test
    void tiersFollowTheFeatures() {
        String noDefer = FakeEnvironment.FULL_REPORT.replace("SETUP_DEFER_TASKRUN_SUPPORTED=true", "SETUP_DEFER_TASKRUN_SUPPORTED=false");
        assertEquals(UringTier.MULTISHOT, UringProbe.probe(new FakeEnvironment().features(noDefer)).tier());
        String noMultishot = noDefer.replace("ACCEPT_MULTISHOT_SUPPORTED=true", "ACCEPT_MULTISHOT_SUPPORTED=false");
        assertEquals(UringTier.BASIC, UringProbe.probe(new FakeEnvironment().features(noMultishot)).tier());
        assertEquals(UringTier.UNAVAILABLE, UringProbe.probe(new FakeEnvironment().failing(EPERM)).tier());
    }

    @Test
    void propertyDisablesOnPurposeWithoutTouchingTheKernel() {
        for (String value : new String[] {"disabled", "DISABLED", "false", "off"}) {
            FakeEnvironment env = new FakeEnvironment();
            env.properties.put("adaptiveio.io_uring", value);
            UringViability v = UringProbe.probe(env);
            assertEquals(UringCause.DISABLED_BY_PROPERTY, v.cause(), value);
            assertTrue(v.fix().contains("-Dadaptiveio.io_uring=" + value), v.fix());
            assertEquals(0, env.nativeProbeCalls, "the native layer was loaded although disabled");
        }
        FakeEnvironment env = new FakeEnvironment();
        env.environment.put("ADAPTIVEIO_IO_URING", "disabled");
        assertEquals(UringCause.DISABLED_BY_PROPERTY, UringProbe.probe(env).cause());
        env.properties.put("adaptiveio.io_uring", "enabled");
        assertTrue(UringProbe.probe(env).isViable(), "the property overrides the environment variable");
    }

    @Test
    void notLinux() {
        FakeEnvironment env = new FakeEnvironment();
        env.osName = "Mac OS X";
        UringViability v = UringProbe.probe(env);
        assertEquals(UringCause.UNSUPPORTED_PLATFORM, v.cause());
        assertTrue(v.detail().contains("Mac OS X"));
    }

    @Test
    void kernelTooOldByReleaseOrByTheNativeProbe() {
        FakeEnvironment env = new FakeEnvironment();
        env.kernel = "5.4.0-100-generic";
        UringViability v = UringProbe.probe(env);
        assertEquals(UringCause.KERNEL_TOO_OLD, v.cause());
        assertTrue(v.detail().contains("5.4.0-100-generic"));
        assertTrue(v.fix().contains("5.11"));

        env = new FakeEnvironment().failing(new UnsupportedOperationException("Not all operations are supported: [6, 11]"));
        assertEquals(UringCause.KERNEL_TOO_OLD, UringProbe.probe(env).cause());
        env = new FakeEnvironment().failing(new UnsupportedOperationException(
                "you need at least kernel version 5.9, current kernel version: 5.8.1"));
        assertEquals(UringCause.KERNEL_TOO_OLD, UringProbe.probe(env).cause());
    }

    @Test
    void kernelWithoutIoUringAtAll() {
        UringViability v = UringProbe.probe(new FakeEnvironment().failing(ENOSYS));
        assertEquals(UringCause.KERNEL_TOO_OLD, v.cause());
        assertTrue(v.detail().contains("CONFIG_IO_URING"));
    }

    @Test
    void sysctlDisabledForEveryone() {
        FakeEnvironment env = new FakeEnvironment().failing(EPERM);
        env.sysctl = 2;
        UringViability v = UringProbe.probe(env);
        assertEquals(UringCause.DISABLED_BY_SYSCTL, v.cause());
        assertTrue(v.detail().contains("io_uring_disabled is 2"));
        assertTrue(v.fix().contains("sysctl -w kernel.io_uring_disabled=0"));
    }

    @Test
    void sysctlRestrictedToAGroup() {
        FakeEnvironment env = new FakeEnvironment().failing(EPERM);
        env.sysctl = 1;
        env.group = 1001;
        UringViability v = UringProbe.probe(env);
        assertEquals(UringCause.DISABLED_BY_SYSCTL, v.cause());
        assertTrue(v.detail().contains("io_uring_disabled is 1"));
        assertTrue(v.fix().contains("gid 1001"), v.fix());
    }

    @Test
    void seccompBlocksWithEpermOrEnosys() {
        for (RuntimeException e : new RuntimeException[] {EPERM, ENOSYS}) {
            FakeEnvironment env = new FakeEnvironment().failing(e);
            env.seccomp = 2;
            UringViability v = UringProbe.probe(env);
            assertEquals(UringCause.BLOCKED_BY_SECCOMP, v.cause(), e.getMessage());
            assertTrue(v.fix().contains("seccomp"));
            assertTrue(v.fix().contains("io_uring_setup"));
        }
    }

    @Test
    void epermWithoutAnExplanationPointsAtSecurityModules() {
        UringViability v = UringProbe.probe(new FakeEnvironment().failing(EPERM));
        assertEquals(UringCause.NOT_PERMITTED, v.cause());
        assertTrue(v.fix().contains("SELinux"));
    }

    @Test
    void memlockExhausted() {
        FakeEnvironment env = new FakeEnvironment().failing(ENOMEM);
        env.memlockSoft = 65536;
        UringViability v = UringProbe.probe(env);
        assertEquals(UringCause.MEMLOCK_EXHAUSTED, v.cause());
        assertTrue(v.detail().contains("65536 bytes"), v.detail());
        assertTrue(v.fix().contains("ulimit -l"));
        assertTrue(v.fix().contains("memlock=-1"));
    }

    @Test
    void nativeLibraryMissing() {
        UringViability v = UringProbe.probe(new FakeEnvironment().failing(
                new UnsatisfiedLinkError("could not load a native library: netty_transport_native_io_uring42_x86_64")));
        assertEquals(UringCause.NATIVE_LIBRARY_MISSING, v.cause());
        assertTrue(v.fix().contains("native.workdir"));
        v = UringProbe.probe(new FakeEnvironment().failing(new NoClassDefFoundError("io/netty/channel/uring/IoUring")));
        assertEquals(UringCause.NATIVE_LIBRARY_MISSING, v.cause());
    }

    @Test
    void nettyNoNativeSwitch() {
        UringViability v = UringProbe.probe(new FakeEnvironment().failing(new UnsupportedOperationException(
                "Native transport was explicit disabled with -Dio.netty.transport.noNative=true")));
        assertEquals(UringCause.DISABLED_BY_PROPERTY, v.cause());
    }

    @Test
    void anythingElseKeepsTheNativeMessage() {
        UringViability v = UringProbe.probe(new FakeEnvironment().failing(new IllegalStateException("odd failure")));
        assertEquals(UringCause.SETUP_FAILED, v.cause());
        assertTrue(v.detail().contains("odd failure"));
        assertTrue(v.fix().contains(IoUringDiagnostics.class.getName()));
    }

    @Test
    void ringCreationFailuresAreClassifiedToo() {
        // Creating a ring per I/O thread can fail after the probe passed (memory, limits).
        FakeEnvironment env = new FakeEnvironment();
        UringViability v = UringProbe.classify(env, new java.io.UncheckedIOException(new IOException("wrap", ENOMEM)));
        assertEquals(UringCause.MEMLOCK_EXHAUSTED, v.cause());
    }

    @Test
    void theExceptionNamesCauseAndFix() {
        FakeEnvironment env = new FakeEnvironment().failing(EPERM);
        env.sysctl = 2;
        IOException e = UringProbe.probe(env).toException();
        assertTrue(e.getMessage().contains("DISABLED_BY_SYSCTL"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: sysctl -w kernel.io_uring_disabled=0"), e.getMessage());
        assertSame(EPERM, e.getCause());
    }

    @Test
    void kernelReleaseParsing() {
        assertArrayEquals(new int[] {6, 18}, UringProbe.parseKernel("6.18.44-fc-v669"));
        assertArrayEquals(new int[] {5, 10}, UringProbe.parseKernel("5.10.0-28-amd64"));
        assertNull(UringProbe.parseKernel("weird"));
    }

    @Test
    void diagnosticsReportForAFailingMachine() {
        FakeEnvironment env = new FakeEnvironment().failing(EPERM);
        env.seccomp = 2;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean usable = IoUringDiagnostics.report(env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(usable);
        assertTrue(out.contains("NOT USABLE"), out);
        assertTrue(out.contains("BLOCKED_BY_SECCOMP"), out);
        assertTrue(out.contains("fix"), out);
        assertTrue(out.contains("2 (filter active"), out);
    }

    // ---- this machine

    @Test
    void thisMachinesVerdictMatchesItsKernelSettings() {
        UringEnvironment sys = UringEnvironment.system();
        UringViability v = IoUringSupport.viability();
        boolean expectUsable = sys.osName().startsWith("Linux") && sys.ioUringDisabledSysctl() <= 0
                && sys.seccompMode() != 2 && System.getProperty("adaptiveio.io_uring") == null
                && System.getenv("ADAPTIVEIO_IO_URING") == null;
        assumeTrue(expectUsable, "this machine restricts io_uring: " + v.summary());
        assertTrue(v.isViable(), v.summary());
        assertNotEquals(UringTier.UNAVAILABLE, v.tier());
    }

    @Test
    void everyFeatureKeyIsInTheNativeReport() {
        // Guards the parsing against a Netty upgrade that renames its report's keys.
        assumeTrue(IoUring.isAvailable());
        String report = IoUring.featureString();
        for (UringFeature f : UringFeature.values()) {
            assertTrue(report.contains(f.nativeKey() + "="), f + " missing from: " + report);
        }
        assertEquals(UringProbe.parseFeatures(report), IoUringSupport.viability().features());
        assertFalse(EnumSet.copyOf(IoUringSupport.viability().features()).isEmpty());
    }

    @Test
    void diagnosticsOnThisMachineRunARealRing() {
        assumeTrue(IoUringSupport.viability().isViable());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean usable = IoUringDiagnostics.report(UringEnvironment.system(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(usable, out);
        assertTrue(out.contains("USABLE"), out);
        assertTrue(out.contains("ring created, NOP completed with 0"), out);
    }

    @Test
    void settingThePropertyTakesEffectForTheNextEngine() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable());
        System.setProperty("adaptiveio.io_uring", "disabled");
        try {
            UringViability v = IoUringSupport.viability();
            assertEquals(UringCause.DISABLED_BY_PROPERTY, v.cause());
            IOException e = assertThrows(IOException.class, IoUringSupport::ensureAvailable);
            assertTrue(e.getMessage().contains("adaptiveio.io_uring=disabled"));
            assertThrows(IOException.class, () -> Ring.open(Thread.currentThread(), Runnable::run,
                    RingConfig.fromSystemProperties()));
        } finally {
            System.clearProperty("adaptiveio.io_uring");
        }
        assertTrue(IoUringSupport.viability().isViable());
    }
}
