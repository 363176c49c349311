package dev.adaptiveio.adaptive.control;

/**
 * The operations on one adaptive listener, for Java callers; the MXBean ({@link AdaptiveListenerMXBean})
 * exposes the same. Thread-safe.
 */
public interface ListenerControl {

    /**
     * Moves new connections to {@code target} now, whatever the thresholds, the cooldown, the oscillation
     * lock or a freeze say (it is an explicit order); counted as {@link SwitchReason#FORCED}, starts a
     * cooldown, not counted towards oscillation. A no-op returning {@link Decision#NONE} when
     * {@code target} is already accepting.
     *
     * @throws IllegalStateException when io_uring is asked for and cannot be used, or the engine could not take over
     */
    Decision forceSwitch(Engine target);

    /**
     * Stops automatic switching until a matching {@link #unfreeze()}; nests (reference-counted).
     *
     * @return the freeze count after this call
     */
    int freeze();

    /**
     * Releases one {@link #freeze()}; switching resumes when the count reaches 0.
     *
     * @return the freeze count after this call
     * @throws IllegalStateException when not frozen
     */
    int unfreeze();

    /** Outstanding freezes. */
    int freezeCount();

    default boolean isFrozen() {
        return freezeCount() > 0;
    }
}
