package dev.adaptiveio.core.loop;

/**
 * A task for an I/O thread that must not be dropped when the thread ends, such as the close of
 * an fd whose last system call finished on another thread. While the thread runs its loop, the
 * thread runs {@link #run()}; a task queued as the loop ends, or handed to
 * {@link NativeIoThread#execute} after it ended, gets {@link #runWithoutLoop()} instead, on the
 * thread that ends the loop or on the caller. Plain tasks are dropped then, as XNIO's NIO
 * threads drop theirs.
 */
public interface MustRunTask extends Runnable {

    /** Does what must not be lost without the loop (the engine is gone): on any thread, once. */
    void runWithoutLoop();
}
