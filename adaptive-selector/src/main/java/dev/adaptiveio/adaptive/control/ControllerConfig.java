package dev.adaptiveio.adaptive.control;

import java.time.Duration;

/**
 * The controller's thresholds, validated. Load is measured in connections per I/O thread (see
 * {@link Sample#connectionsPerThread()}).
 *
 * @param upThreshold         load at or above which, for {@code sustainedTicks} ticks, new connections go to io_uring
 * @param sustainedTicks      consecutive ticks a threshold must hold
 * @param highWatermark       load at or above which the controller goes to io_uring at once
 * @param downThreshold       load below which, for {@code sustainedTicks} ticks, new connections go back to epoll
 * @param cooldown            quiet time after any switch (an error revert ignores it)
 * @param largePayloadBytes   average response bytes per request at or above which load switches are suppressed
 * @param errorRevertRate     io_uring errors per operation in one tick above which new connections revert to epoll
 * @param oscillationSwitches automatic switches within {@code oscillationWindow} that lock switching
 * @param oscillationWindow   see {@code oscillationSwitches}
 * @param oscillationLock     how long oscillation locks automatic switching
 * @param tick                the period at which the controller is meant to be ticked
 */
public record ControllerConfig(
        int upThreshold,
        int sustainedTicks,
        int highWatermark,
        int downThreshold,
        Duration cooldown,
        int largePayloadBytes,
        double errorRevertRate,
        int oscillationSwitches,
        Duration oscillationWindow,
        Duration oscillationLock,
        Duration tick) {

    /**
     * @throws IllegalArgumentException when a value is out of range or the thresholds are not ordered
     *                                  {@code downThreshold < upThreshold <= highWatermark}
     */
    public ControllerConfig {
        atLeast("UP_THRESHOLD", upThreshold, 1);
        atLeast("SUSTAINED_TICKS", sustainedTicks, 1);
        atLeast("HIGH_WATERMARK", highWatermark, 1);
        atLeast("DOWN_THRESHOLD", downThreshold, 0);
        notNegative("COOLDOWN_SECONDS", cooldown);
        atLeast("LARGE_PAYLOAD_BYTES", largePayloadBytes, 1);
        if (!(errorRevertRate >= 0.0 && errorRevertRate <= 1.0)) {
            throw new IllegalArgumentException("ERROR_REVERT_RATE is " + errorRevertRate + ": expected a number from 0 to 1");
        }
        atLeast("OSCILLATION_SWITCHES", oscillationSwitches, 1);
        notNegative("OSCILLATION_WINDOW_SECONDS", oscillationWindow);
        notNegative("OSCILLATION_LOCK_SECONDS", oscillationLock);
        if (tick == null || tick.toMillis() < 10) {
            throw new IllegalArgumentException("TICK_MILLIS is " + (tick == null ? null : tick.toMillis()) + ": expected an integer >= 10");
        }
        if (downThreshold >= upThreshold) {
            throw new IllegalArgumentException("DOWN_THRESHOLD (" + downThreshold + ") must be below UP_THRESHOLD (" + upThreshold
                    + "): the gap between them is what keeps the controller from flapping");
        }
        if (highWatermark < upThreshold) {
            throw new IllegalArgumentException("HIGH_WATERMARK (" + highWatermark + ") must not be below UP_THRESHOLD (" + upThreshold + ")");
        }
    }

    /**
     * The documented defaults: 8 up, 2 ticks, 32 at once, 4 down, 30 s cooldown, 8 KiB, 5%, 3
     * switches in 300 s lock 300 s, 1 s ticks. The thresholds come from the benchmark: io_uring
     * costs less CPU per small request than epoll from 16 keep-alive connections per thread up,
     * and the two tie at one (docs/adaptive.md, "Measured").
     */
    public static ControllerConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder().upThreshold(upThreshold).sustainedTicks(sustainedTicks).highWatermark(highWatermark)
                .downThreshold(downThreshold).cooldown(cooldown).largePayloadBytes(largePayloadBytes)
                .errorRevertRate(errorRevertRate).oscillationSwitches(oscillationSwitches)
                .oscillationWindow(oscillationWindow).oscillationLock(oscillationLock).tick(tick);
    }

    private static void atLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " is " + value + ": expected an integer >= " + min);
        }
    }

    private static void notNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " is " + value + ": expected a duration >= 0");
        }
    }

    /** Builds a {@link ControllerConfig}; starts from the defaults. */
    public static final class Builder {
        private int upThreshold = 8;
        private int sustainedTicks = 2;
        private int highWatermark = 32;
        private int downThreshold = 4;
        private Duration cooldown = Duration.ofSeconds(30);
        private int largePayloadBytes = 8192;
        private double errorRevertRate = 0.05;
        private int oscillationSwitches = 3;
        private Duration oscillationWindow = Duration.ofSeconds(300);
        private Duration oscillationLock = Duration.ofSeconds(300);
        private Duration tick = Duration.ofMillis(1000);

        private Builder() {
        }

        public Builder upThreshold(int value) {
            this.upThreshold = value;
            return this;
        }

        public Builder sustainedTicks(int value) {
            this.sustainedTicks = value;
            return this;
        }

        public Builder highWatermark(int value) {
            this.highWatermark = value;
            return this;
        }

        public Builder downThreshold(int value) {
            this.downThreshold = value;
            return this;
        }

        public Builder cooldown(Duration value) {
            this.cooldown = value;
            return this;
        }

        public Builder largePayloadBytes(int value) {
            this.largePayloadBytes = value;
            return this;
        }

        public Builder errorRevertRate(double value) {
            this.errorRevertRate = value;
            return this;
        }

        public Builder oscillationSwitches(int value) {
            this.oscillationSwitches = value;
            return this;
        }

        public Builder oscillationWindow(Duration value) {
            this.oscillationWindow = value;
            return this;
        }

        public Builder oscillationLock(Duration value) {
            this.oscillationLock = value;
            return this;
        }

        public Builder tick(Duration value) {
            this.tick = value;
            return this;
        }

        /** @throws IllegalArgumentException as the record's constructor does */
        public ControllerConfig build() {
            return new ControllerConfig(upThreshold, sustainedTicks, highWatermark, downThreshold, cooldown, largePayloadBytes,
                    errorRevertRate, oscillationSwitches, oscillationWindow, oscillationLock, tick);
        }
    }
}
