package dev.adaptiveio.core.natives.uring;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real failures, forced in child JVMs that run {@link IoUringDiagnostics}: a seccomp filter that
 * makes {@code io_uring_setup} fail with EPERM, ENOSYS or ENOMEM (what container profiles, old
 * kernels and exhausted locked memory produce), a class path without the native library, and the
 * switch property. What cannot be forced here (the sysctl, an old kernel) is covered through the
 * environment seam in {@link UringProbeTest}.
 */
class UringFailurePathsTest {

    /** Installs a seccomp filter returning -ERRNO for io_uring_setup (x86_64: 425), then execs the command. */
    private static final String SECCOMP_LAUNCHER = String.join("\n",
            "import ctypes, os, struct, sys",
            "errno_val = int(sys.argv[1])",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "def stmt(code, k): return struct.pack('HBBI', code, 0, 0, k)",
            "def jump(code, k, jt, jf): return struct.pack('HBBI', code, jt, jf, k)",
            "LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06",
            "prog = b''.join([stmt(LD_W_ABS, 4), jump(JEQ_K, 0xC000003E, 1, 0), stmt(RET_K, 0x7fff0000),",
            "    stmt(LD_W_ABS, 0), jump(JEQ_K, 425, 0, 1), stmt(RET_K, 0x00050000 | errno_val), stmt(RET_K, 0x7fff0000)])",
            "buf = ctypes.create_string_buffer(prog)",
            "class Prog(ctypes.Structure): _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]",
            "p = Prog(len(prog) // 8, ctypes.addressof(buf))",
            "if libc.prctl(38, 1, 0, 0, 0) != 0: raise OSError(ctypes.get_errno(), 'PR_SET_NO_NEW_PRIVS')",
            "if libc.prctl(22, 2, ctypes.byref(p), 0, 0) != 0: raise OSError(ctypes.get_errno(), 'PR_SET_SECCOMP')",
            "os.execvp(sys.argv[2], sys.argv[2:])",
            "");

    @TempDir
    static Path tmp;
    private static Path launcher;

    @BeforeAll
    static void requireAWorkingIoUring() throws IOException {
        UringViability v = IoUringSupport.viability();
        assumeTrue(v.isViable(), () -> "failure paths are forced from a working io_uring; here: " + v.summary());
        launcher = tmp.resolve("seccomp_exec.py");
        Files.writeString(launcher, SECCOMP_LAUNCHER);
    }

    @Test
    void seccompEpermIsReportedAsBlockedBySeccomp() throws Exception {
        Result r = underSeccomp(1);
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cause             : BLOCKED_BY_SECCOMP"), r.output);
        assertTrue(r.output.contains("Operation not permitted"), r.output);
        assertTrue(r.output.contains("fix               : allow io_uring_setup"), r.output);
        assertTrue(r.output.contains("2 (filter active"), r.output);
    }

    @Test
    void seccompEnosysIsReportedAsBlockedBySeccomp() throws Exception {
        Result r = underSeccomp(38);
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cause             : BLOCKED_BY_SECCOMP"), r.output);
        assertTrue(r.output.contains("ENOSYS"), r.output);
    }

    @Test
    void enomemIsReportedAsLockedMemoryExhausted() throws Exception {
        Result r = underSeccomp(12);
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cause             : MEMLOCK_EXHAUSTED"), r.output);
        assertTrue(r.output.contains("ulimit -l"), r.output);
    }

    @Test
    void missingNativeLibraryIsReported() throws Exception {
        String cp = Arrays.stream(testClassPath().split(File.pathSeparator))
                .filter(e -> !(e.contains("netty-transport-native-io_uring") && e.contains("linux-")))
                .collect(Collectors.joining(File.pathSeparator));
        assertNotEquals(testClassPath(), cp, "the native library jar was not on the test class path");
        Result r = run(List.of(), cp, List.of("-Dio.netty.native.workdir=" + tmp));
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cause             : NATIVE_LIBRARY_MISSING"), r.output);
        assertTrue(r.output.contains("could not be loaded"), r.output);
    }

    @Test
    void switchPropertyTurnsItOff() throws Exception {
        Result r = run(List.of(), testClassPath(), List.of("-Dadaptiveio.io_uring=disabled"));
        assertEquals(1, r.exit, r.output);
        assertTrue(r.output.contains("cause             : DISABLED_BY_PROPERTY"), r.output);
        assertTrue(r.output.contains("remove -Dadaptiveio.io_uring=disabled"), r.output);
    }

    @Test
    void unrestrictedChildIsUsable() throws Exception {
        Result r = run(List.of(), testClassPath(), List.of());
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("verdict           : USABLE"), r.output);
        assertTrue(r.output.contains("NOP completed with 0"), r.output);
    }

    // ---- helpers

    private Result underSeccomp(int errno) throws Exception {
        String python = findOnPath("python3");
        assumeTrue(python != null, "python3 is needed to install a seccomp filter");
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the filter is written for x86_64");
        return run(List.of(python, launcher.toString(), String.valueOf(errno)), testClassPath(), List.of());
    }

    private static Result run(List<String> prefix, String classPath, List<String> jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(IoUringDiagnostics.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null ? cp : System.getProperty("java.class.path");
    }

    private static String findOnPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, exe);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    private static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }
}
