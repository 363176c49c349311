package dev.adaptiveio.core.natives.uring;

/**
 * Packs (kind, generation, tag) into the 16 bits of user_data that Netty carries on its fast
 * path (wider values cost a hash-map lookup per submission and completion).
 * <pre>
 *  15     12 11            4 3      0
 * [  kind  ][  generation  ][  tag  ]
 * </pre>
 * Netty itself adds the registration id, so completions never cross handles; the generation
 * guards within a handle: ops submitted before {@link RingHandle#retire()} complete as stale.
 */
final class UserDataCodec {

    static final int GENERATION_MASK = 0xFF;

    private UserDataCodec() {
    }

    static int encode(int kind, int generation, int tag) {
        return (kind & 0xF) << 12 | (generation & GENERATION_MASK) << 4 | (tag & 0xF);
    }

    /** The value handed to Netty: the 16 bits as a sign-extended short, as its fast path demands. */
    static long toNetty(int packed) {
        return (short) packed;
    }

    static int fromNetty(long userData) {
        return (int) userData & 0xFFFF;
    }

    static int kind(int packed) {
        return packed >>> 12 & 0xF;
    }

    static int generation(int packed) {
        return packed >>> 4 & GENERATION_MASK;
    }

    static int tag(int packed) {
        return packed & 0xF;
    }
}
