package dev.adaptiveio.core.conn;

import dev.adaptiveio.core.loop.MustRunTask;

/**
 * A connection's engine lets it go and closes the fd, on the I/O thread; once that thread has
 * ended (the engine with it) the fd is closed wherever this lands, so it cannot leak.
 */
final class ReleaseOnThread implements MustRunTask {

    private static final Runnable NOTHING = () -> { };

    private final NativeStreamConnection connection;

    ReleaseOnThread(NativeStreamConnection connection) {
        this.connection = connection;
    }

    @Override
    public void run() {
        connection.engineRelease(false, NOTHING);
    }

    @Override
    public void runWithoutLoop() {
        connection.core.closeFdIfIdle();
    }
}
