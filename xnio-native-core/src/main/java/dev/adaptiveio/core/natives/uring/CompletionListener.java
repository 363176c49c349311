package dev.adaptiveio.core.natives.uring;

/**
 * Receives what happens to the operations of one {@link RingHandle}, on the ring's thread.
 * <p>
 * A completion is delivered exactly once per kernel completion (a multishot op delivers several,
 * all but the last with {@link UringConstants#IORING_CQE_F_MORE} set). Memory handed to the
 * kernel with an op stays the caller's responsibility until that op's final completion, or
 * until {@link #onReleased} for ops that completed as stale.
 */
public interface CompletionListener {

    /**
     * An op of the handle's current generation completed.
     *
     * @param kind   the {@link Op} kind
     * @param tag    the tag given at submission
     * @param result the kernel's result: a count, an fd, a poll mask, or {@code -errno}
     * @param flags  the completion flags ({@code IORING_CQE_F_*})
     */
    void onCompletion(RingHandle handle, int kind, int tag, int result, int flags);

    /**
     * The handle is gone: every op it submitted has completed and it is unregistered from the
     * ring. Memory lent to its ops may be reused or freed now.
     *
     * @param fdClosed    whether the ring closed the fd ({@link RingHandle#release(boolean)} with
     *                    {@code true})
     * @param closeResult the result of the close when {@code fdClosed}: {@code 0} or {@code -errno}
     */
    default void onReleased(RingHandle handle, boolean fdClosed, int closeResult) {
    }

    /**
     * The ring is shutting down with this handle still registered. An owner that wants the fd
     * closed calls {@link RingHandle#release(boolean) release(true)} here; if the handle is still
     * active afterwards, the ring cancels its ops and releases it without closing the fd.
     */
    default void onRingClosing(RingHandle handle) {
    }
}
