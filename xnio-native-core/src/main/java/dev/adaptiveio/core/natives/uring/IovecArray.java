package dev.adaptiveio.core.natives.uring;

import java.nio.ByteBuffer;

/**
 * A {@code struct iovec[]} in direct memory for WRITEV/READV. Owned by one connection: the kernel
 * reads it until the op's completion, so it must not be reused before then.
 */
public final class IovecArray {

    /** {@code sizeof(struct iovec)} on 64-bit Linux. */
    private static final int IOV_SIZE = 16;
    /** {@code IOV_MAX} on Linux. */
    public static final int IOV_MAX = 1024;

    private final ByteBuffer memory;
    private final long address;
    private final int capacity;
    private int count;
    private long bytes;

    public IovecArray(int capacity) {
        if (capacity < 1 || capacity > IOV_MAX) {
            throw new IllegalArgumentException("iovec capacity " + capacity + " outside 1.." + IOV_MAX);
        }
        this.capacity = capacity;
        this.memory = UringMemory.allocateDirect(capacity * IOV_SIZE);
        this.address = UringMemory.address(memory);
    }

    /** @return {@code false} when full */
    public boolean add(long base, int length) {
        if (count == capacity) {
            return false;
        }
        int off = count * IOV_SIZE;
        memory.putLong(off, base);
        memory.putLong(off + 8, length);
        count++;
        bytes += length;
        return true;
    }

    /** Adds the remaining bytes of a direct buffer. */
    public boolean add(ByteBuffer direct) {
        return add(UringMemory.address(direct) + direct.position(), direct.remaining());
    }

    public void clear() {
        count = 0;
        bytes = 0;
    }

    public long address() {
        return address;
    }

    public int count() {
        return count;
    }

    public boolean isFull() {
        return count == capacity;
    }

    /** Bytes described by all entries. */
    public long bytes() {
        return bytes;
    }

    /** Releases the memory; the array must not be used afterwards. */
    public void free() {
        UringMemory.free(memory);
    }
}
