package dev.adaptiveio.core.conn;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

import dev.adaptiveio.core.natives.NativeSocket;

/**
 * Turns one connection's reads and writes into what its server counts ({@link TrafficSink}):
 * an exchange when output follows input, the bytes written, and errors that are the engine's
 * (a peer that resets or leaves is the end of a connection, not a fault).
 */
final class TrafficCounter {

    private volatile TrafficSink sink;
    /** The I/O thread's own share of {@link #sink}, and that thread (written before sink). */
    private TrafficSink confined;
    private Thread ioThread;
    /** Input arrived since the last output: the next output completes an exchange. */
    private boolean readSinceWrite;

    /** From now on counts go to {@code sink}: those made on {@code ioThread} without atomics. */
    void countInto(TrafficSink sink, Thread ioThread) {
        this.ioThread = ioThread;
        this.confined = sink.confinedTo(ioThread);
        this.sink = sink;
    }

    private TrafficSink sink() {
        TrafficSink s = sink;
        return s != null && Thread.currentThread() == ioThread ? confined : s;
    }

    void read(long n) {
        if (n > 0) {
            readSinceWrite = true;
        }
    }

    void written(long n) {
        TrafficSink s = sink();
        if (s != null && n > 0) {
            if (readSinceWrite) {
                readSinceWrite = false;
                s.exchange();
            }
            s.written(n);
        }
    }

    void failed(IOException e) {
        TrafficSink s = sink();
        if (s != null && !(e instanceof ClosedChannelException) && !NativeSocket.isPeerGone(e)) {
            s.error();
        }
    }
}
