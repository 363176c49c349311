package dev.adaptiveio.core.natives.uring;

/**
 * Why io_uring can or cannot be used here.
 */
public enum UringCause {
    /** It can. */
    AVAILABLE,
    /** {@code -Dadaptiveio.io_uring=disabled} (or {@code ADAPTIVEIO_IO_URING=disabled}) turned it off. */
    DISABLED_BY_PROPERTY,
    /** Not Linux. */
    UNSUPPORTED_PLATFORM,
    /** The native library could not be loaded (missing, wrong architecture, noexec temp dir). */
    NATIVE_LIBRARY_MISSING,
    /** The kernel lacks io_uring or the operations we need (5.11 or later is required). */
    KERNEL_TOO_OLD,
    /** {@code /proc/sys/kernel/io_uring_disabled} is 2, or 1 and this user is not allowed. */
    DISABLED_BY_SYSCTL,
    /** A seccomp filter (containers' default profiles) rejects the io_uring system calls. */
    BLOCKED_BY_SECCOMP,
    /** {@code io_uring_setup} returned EPERM without sysctl or seccomp explaining it (an LSM). */
    NOT_PERMITTED,
    /** {@code io_uring_setup} returned ENOMEM: locked-memory limit or memory cgroup exhausted. */
    MEMLOCK_EXHAUSTED,
    /** Anything else; the detail carries the native error. */
    SETUP_FAILED
}
