package dev.adaptiveio.adaptive.control;

import java.time.Duration;

/** A clock that moves only when told to. */
final class FakeClock implements NanoClock {

    private long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
        return now;
    }

    void advance(Duration duration) {
        now += duration.toNanos();
    }

    void advanceSeconds(long seconds) {
        advance(Duration.ofSeconds(seconds));
    }
}
