package dev.adaptiveio.uring;

import java.util.Objects;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.uring.RingConfig;
import dev.adaptiveio.core.natives.uring.UringFeature;
import dev.adaptiveio.core.natives.uring.UringViability;
import dev.adaptiveio.core.server.Acceptor;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnioWorker;

/**
 * The io_uring engine: its threads (one ring each) and how they accept on a server's shared
 * listening socket (the server itself is the shared {@link NativeTcpServer}).
 */
final class UringEngine implements Engine {

    static final String RECV_BUFFER_PROPERTY = "adaptiveio.io_uring.recvBufferSize";
    static final int DEFAULT_RECV_BUFFER = 8192;
    static final String MULTISHOT_ACCEPT_PROPERTY = "adaptiveio.io_uring.multishotAccept";
    /** {@code ring} or {@code readiness} ({@link UringAcceptMode}); {@link UringOptions#ACCEPT_MODE} wins over it. */
    static final String ACCEPT_MODE_PROPERTY = "adaptiveio.io_uring.acceptMode";
    /** {@code false} turns off RECV with {@code IORING_RECVSEND_POLL_FIRST} after a drained socket (to compare). */
    static final String RECV_POLL_FIRST_PROPERTY = "adaptiveio.io_uring.recvPollFirst";

    /**
     * The accept mode the system property names, else {@link UringAcceptMode#DEFAULT}.
     *
     * @throws IllegalArgumentException naming the property and the allowed values
     */
    static UringAcceptMode acceptModeFromSystemProperty() {
        String value = System.getProperty(ACCEPT_MODE_PROPERTY);
        if (value == null || value.isBlank()) {
            return UringAcceptMode.DEFAULT;
        }
        try {
            return UringAcceptMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + ACCEPT_MODE_PROPERTY + "=" + value
                    + " is not an accept mode: use " + UringAcceptMode.ALLOWED, e);
        }
    }

    private final RingConfig ringConfig;
    private final int recvBufferSize;
    private final boolean multishotAccept;
    private final boolean multishotPoll;
    private final boolean recvPollFirst;
    private final UringAcceptMode acceptMode;

    UringEngine(RingConfig ringConfig, int recvBufferSize, UringAcceptMode acceptMode, UringViability viability) {
        if (recvBufferSize < 512 || recvBufferSize > (1 << 20)) {
            throw new IllegalArgumentException("io_uring receive buffer size " + recvBufferSize + " outside 512..1048576");
        }
        this.ringConfig = ringConfig;
        this.recvBufferSize = recvBufferSize;
        String multishot = System.getProperty(MULTISHOT_ACCEPT_PROPERTY);
        this.multishotAccept = viability.features().contains(UringFeature.ACCEPT_MULTISHOT)
                && (multishot == null || Boolean.parseBoolean(multishot));
        this.multishotPoll = viability.features().contains(UringFeature.POLL_ADD_MULTISHOT);
        // POLL_FIRST and the SOCK_NONEMPTY completion flag that says when to use it came with 5.19;
        // an older kernel rejects a RECV with a non-zero ioprio (-EINVAL).
        String pollFirst = System.getProperty(RECV_POLL_FIRST_PROPERTY);
        this.recvPollFirst = viability.features().contains(UringFeature.SOCK_NONEMPTY)
                && (pollFirst == null || Boolean.parseBoolean(pollFirst));
        this.acceptMode = Objects.requireNonNull(acceptMode, "acceptMode");
    }

    @Override
    public EngineId id() {
        return EngineId.IO_URING;
    }

    RingConfig ringConfig() {
        return ringConfig;
    }

    int recvBufferSize() {
        return recvBufferSize;
    }

    /** Whether a RECV after a drained socket waits for readiness first (kernel 5.19+). */
    boolean recvPollFirst() {
        return recvPollFirst;
    }

    UringAcceptMode acceptMode() {
        return acceptMode;
    }

    @Override
    public NativeIoThread newIoThread(NativeXnioWorker worker, int index, String threadName, ThreadGroup group,
                                      long stackSize) {
        return new UringIoThread(worker, index, threadName, group, stackSize, this);
    }

    @Override
    public Acceptor newAcceptor(NativeTcpServer server, NativeIoThread thread) {
        UringIoThread uringThread = (UringIoThread) thread;
        return acceptMode == UringAcceptMode.READINESS
                ? new UringReadinessAcceptor(server, uringThread, multishotPoll)
                : new UringAcceptor(server, uringThread, multishotAccept);
    }
}
