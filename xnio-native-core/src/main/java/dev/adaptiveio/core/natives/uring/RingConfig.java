package dev.adaptiveio.core.natives.uring;

/**
 * How a {@link Ring} is set up. Defaults come from system properties:
 * <ul>
 * <li>{@code adaptiveio.io_uring.ringSize}: submission queue entries (default 256, 16..32768);
 *     a full queue is submitted early, so this bounds a batch, not the number of ops in flight;</li>
 * <li>{@code adaptiveio.io_uring.cqSize}: completion queue entries (default 4096, at least the ring
 *     size, a power of two), used where the kernel supports {@code IORING_SETUP_CQSIZE};</li>
 * <li>{@code adaptiveio.io_uring.singleIssuer}: {@code IORING_SETUP_SINGLE_ISSUER} (and
 *     {@code DEFER_TASKRUN} where the kernel has it), default {@code true}.</li>
 * </ul>
 */
public final class RingConfig {

    public static final String RING_SIZE_PROPERTY = "adaptiveio.io_uring.ringSize";
    public static final String CQ_SIZE_PROPERTY = "adaptiveio.io_uring.cqSize";
    public static final String SINGLE_ISSUER_PROPERTY = "adaptiveio.io_uring.singleIssuer";

    public static final int DEFAULT_RING_SIZE = 256;
    public static final int DEFAULT_CQ_SIZE = 4096;
    public static final int MIN_RING_SIZE = 16;
    public static final int MAX_RING_SIZE = 32768;

    private final int ringSize;
    private final int cqSize;
    private final boolean singleIssuer;

    private RingConfig(int ringSize, int cqSize, boolean singleIssuer) {
        if (ringSize < MIN_RING_SIZE || ringSize > MAX_RING_SIZE) {
            throw new IllegalArgumentException("io_uring ring size " + ringSize + " is outside "
                    + MIN_RING_SIZE + ".." + MAX_RING_SIZE);
        }
        int ringPow2 = Integer.highestOneBit(ringSize - 1) << 1;
        if (Integer.bitCount(cqSize) != 1 || cqSize < ringPow2) {
            throw new IllegalArgumentException("io_uring completion queue size " + cqSize
                    + " must be a power of two and at least the ring size (" + ringPow2 + ")");
        }
        this.ringSize = ringSize;
        this.cqSize = cqSize;
        this.singleIssuer = singleIssuer;
    }

    /** The configuration given by the system properties (or the defaults). */
    public static RingConfig fromSystemProperties() {
        int ring = Integer.getInteger(RING_SIZE_PROPERTY, DEFAULT_RING_SIZE);
        int cq = Integer.getInteger(CQ_SIZE_PROPERTY, Math.max(DEFAULT_CQ_SIZE, Integer.highestOneBit(Math.max(1, ring - 1)) << 1));
        String single = System.getProperty(SINGLE_ISSUER_PROPERTY);
        return new RingConfig(ring, cq, single == null || Boolean.parseBoolean(single));
    }

    public static RingConfig of(int ringSize, int cqSize, boolean singleIssuer) {
        return new RingConfig(ringSize, cqSize, singleIssuer);
    }

    public RingConfig withRingSize(int size) {
        return new RingConfig(size, Math.max(cqSize, Integer.highestOneBit(size - 1) << 1), singleIssuer);
    }

    public int ringSize() {
        return ringSize;
    }

    public int cqSize() {
        return cqSize;
    }

    public boolean singleIssuer() {
        return singleIssuer;
    }

    @Override
    public String toString() {
        return "ringSize=" + ringSize + ", cqSize=" + cqSize + ", singleIssuer=" + singleIssuer;
    }
}
