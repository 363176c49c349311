package dev.adaptiveio.core.natives.uring;

/**
 * Kernel io_uring capabilities that matter to us, as probed by the native layer at start-up.
 */
public enum UringFeature {
    SPLICE("SPLICE_SUPPORTED", "IORING_OP_SPLICE: file to socket through a pipe, no user-space copy (5.7)"),
    ACCEPT_MULTISHOT("ACCEPT_MULTISHOT_SUPPORTED", "one ACCEPT submission keeps accepting (5.19)"),
    POLL_ADD_MULTISHOT("POLL_ADD_MULTISHOT_SUPPORTED", "one POLL_ADD keeps reporting readiness (5.13; probed as 5.19)"),
    RECV_MULTISHOT("RECV_MULTISHOT_SUPPORTED", "multishot RECV with provided buffers (6.0; unused: see docs)"),
    RECVSEND_BUNDLE("IORING_RECVSEND_BUNDLE_SUPPORTED", "RECV/SEND bundles over buffer rings (6.10; unused)"),
    ACCEPT_NO_WAIT("ACCEPT_NO_WAIT_SUPPORTED", "ACCEPT that fails fast instead of arming a poll (6.10)"),
    SOCK_NONEMPTY("CQE_F_SOCK_NONEMPTY_SUPPORTED", "receive completions say whether more data is queued (5.19)"),
    SETUP_SINGLE_ISSUER("SETUP_SINGLE_ISSUER_SUPPORTED", "IORING_SETUP_SINGLE_ISSUER: one submitting thread (6.0)"),
    SETUP_DEFER_TASKRUN("SETUP_DEFER_TASKRUN_SUPPORTED",
            "IORING_SETUP_DEFER_TASKRUN: completions run only when the loop enters the kernel (6.1)"),
    SETUP_SUBMIT_ALL("SETUP_SUBMIT_ALL_SUPPORTED", "IORING_SETUP_SUBMIT_ALL: a failing op does not stop a batch (5.18)"),
    SETUP_CQ_SIZE("SETUP_CQ_SIZE_SUPPORTED", "IORING_SETUP_CQSIZE: completion queue sized apart (5.5)"),
    SETUP_NO_SQARRAY("SETUP_NO_SQARRAY_SUPPORTED", "IORING_SETUP_NO_SQARRAY: one indirection less (6.6)"),
    REGISTER_BUFFER_RING("REGISTER_BUFFER_RING_SUPPORTED", "provided buffer rings (5.19; unused: see docs)"),
    SEND_ZC("SEND_ZC_SUPPORTED", "zero-copy SEND (6.0; unused)"),
    ENTER_NO_IOWAIT("ENTER_NO_IOWAIT_SUPPORTED", "waits not accounted as iowait (6.15)");

    private final String nativeKey;
    private final String description;

    UringFeature(String nativeKey, String description) {
        this.nativeKey = nativeKey;
        this.description = description;
    }

    /** The name the native layer's feature report uses. */
    String nativeKey() {
        return nativeKey;
    }

    public String description() {
        return description;
    }
}
