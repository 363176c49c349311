package dev.adaptiveio.conformance.support;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/**
 * A deterministic byte stream: byte {@code p} depends only on the seed and {@code p}, so a sender
 * generates it in chunks of any size and reordered or repeated bytes change the checksum.
 */
public final class Payload {
    private final long seed;

    public Payload(long seed) {
        this.seed = seed;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Fills {@code a[off, off+len)} with stream bytes starting at stream position {@code position}. */
    public void fill(byte[] a, int off, int len, long position) {
        long wordIndex = -1;
        long word = 0;
        for (int i = 0; i < len; i++) {
            long p = position + i;
            long w = p >>> 3;
            if (w != wordIndex) {
                wordIndex = w;
                word = mix(seed * 0x9e3779b97f4a7c15L + w);
            }
            a[off + i] = (byte) (word >>> ((p & 7) << 3));
        }
    }

    /** Puts {@code len} stream bytes from {@code position} into {@code dst} (advancing it). */
    public void put(ByteBuffer dst, int len, long position) {
        byte[] chunk = new byte[len];
        fill(chunk, 0, len, position);
        dst.put(chunk);
    }

    public long crc(long length) {
        CRC32 crc = new CRC32();
        byte[] chunk = new byte[1 << 16];
        for (long pos = 0; pos < length; pos += chunk.length) {
            int n = (int) Math.min(chunk.length, length - pos);
            fill(chunk, 0, n, pos);
            crc.update(chunk, 0, n);
        }
        return crc.getValue();
    }
}
