package dev.adaptiveio.adaptive.control;

/**
 * The outcome of one controller tick or forced switch.
 *
 * @param target    the engine a rule asked for, or {@code null} when no rule asked for a switch
 * @param reason    the rule that asked, or {@code null}
 * @param rejection why the switch did not happen, or {@code null} when it happened (or none was asked for)
 */
public record Decision(Engine target, SwitchReason reason, RejectReason rejection) {

    /** No rule asked for a switch. */
    public static final Decision NONE = new Decision(null, null, null);

    public static Decision switched(Engine target, SwitchReason reason) {
        return new Decision(target, reason, null);
    }

    public static Decision rejected(Engine target, SwitchReason reason, RejectReason rejection) {
        return new Decision(target, reason, rejection);
    }

    /** The accepting engine changed to {@link #target()}. */
    public boolean isSwitch() {
        return target != null && rejection == null;
    }

    /** A rule asked for a switch and a guard refused it. */
    public boolean isRejected() {
        return rejection != null;
    }

    @Override
    public String toString() {
        if (target == null) {
            return "none";
        }
        return (rejection == null ? "switch to " : "rejected switch to ") + target + " (" + reason
                + (rejection == null ? "" : ", " + rejection) + ")";
    }
}
