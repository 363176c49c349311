package dev.adaptiveio.core.natives.uring;

import java.nio.ByteBuffer;

import dev.adaptiveio.core.natives.NativeSocket;
import io.netty.channel.unix.Buffer;

/**
 * Direct memory for ops: the buffers an engine lends to the kernel and their addresses.
 */
public final class UringMemory {

    private UringMemory() {
    }

    /** A direct buffer in native byte order. */
    public static ByteBuffer allocateDirect(int capacity) {
        return Buffer.allocateDirectWithNativeOrder(capacity);
    }

    /** The address of a direct buffer's first byte (position 0, not its current position). */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer");
        }
        return Buffer.memoryAddress(direct);
    }

    /**
     * Frees a direct buffer now instead of at garbage collection; it must never be touched again.
     * Where the JDK's cleaner cannot be called (Java 25 frees only what Netty allocated itself),
     * the GC frees it: callers release fds and tell listeners after this, so it must not throw.
     */
    public static void free(ByteBuffer direct) {
        NativeSocket.freeDirect(direct);
    }
}
