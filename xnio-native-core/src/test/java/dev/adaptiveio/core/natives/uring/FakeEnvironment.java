package dev.adaptiveio.core.natives.uring;

import java.util.HashMap;
import java.util.Map;

/** A machine described by hand: where io_uring fails in ways this kernel cannot be made to. */
final class FakeEnvironment implements UringEnvironment {

    static final String FULL_REPORT = "IoUring features: CQE_F_SOCK_NONEMPTY_SUPPORTED=true, SPLICE_SUPPORTED=true, "
            + "ACCEPT_NO_WAIT_SUPPORTED=true, ACCEPT_MULTISHOT_SUPPORTED=true, POLL_ADD_MULTISHOT_SUPPORTED=true, "
            + "RECV_MULTISHOT_SUPPORTED=true, IORING_RECVSEND_BUNDLE_SUPPORTED=true, SETUP_SUBMIT_ALL_SUPPORTED=true, "
            + "SETUP_CQ_SIZE_SUPPORTED=true, SETUP_SINGLE_ISSUER_SUPPORTED=true, SETUP_DEFER_TASKRUN_SUPPORTED=true, "
            + "SETUP_NO_SQARRAY_SUPPORTED=true, REGISTER_BUFFER_RING_SUPPORTED=true, SEND_ZC_SUPPORTED=true, "
            + "ENTER_NO_IOWAIT_SUPPORTED=false";

    final Map<String, String> properties = new HashMap<>();
    final Map<String, String> environment = new HashMap<>();
    String osName = "Linux";
    String osArch = "amd64";
    String kernel = "6.1.0-18-amd64";
    int sysctl = 0;
    long group = -1;
    int seccomp = 0;
    long memlockSoft = 8L << 20;
    long memlockHard = 8L << 20;
    NativeProbe probe = new NativeProbe(true, null, FULL_REPORT);
    int nativeProbeCalls;

    FakeEnvironment failing(Throwable cause) {
        probe = new NativeProbe(false, cause, "IoUring unavailable: " + cause);
        return this;
    }

    FakeEnvironment features(String report) {
        probe = new NativeProbe(true, null, report);
        return this;
    }

    @Override
    public String property(String name) {
        return properties.get(name);
    }

    @Override
    public String environmentVariable(String name) {
        return environment.get(name);
    }

    @Override
    public String osName() {
        return osName;
    }

    @Override
    public String osArch() {
        return osArch;
    }

    @Override
    public String kernelRelease() {
        return kernel;
    }

    @Override
    public int ioUringDisabledSysctl() {
        return sysctl;
    }

    @Override
    public long ioUringGroup() {
        return group;
    }

    @Override
    public int seccompMode() {
        return seccomp;
    }

    @Override
    public long memlockSoftLimit() {
        return memlockSoft;
    }

    @Override
    public long memlockHardLimit() {
        return memlockHard;
    }

    @Override
    public NativeProbe nativeProbe() {
        nativeProbeCalls++;
        return probe;
    }
}
