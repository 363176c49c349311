package dev.adaptiveio.adaptive.control;

/** A monotonic clock in nanoseconds, injectable so that tests never sleep. */
@FunctionalInterface
public interface NanoClock {

    NanoClock SYSTEM = System::nanoTime;

    /** Monotonic nanoseconds; only differences are meaningful. */
    long nanoTime();
}
