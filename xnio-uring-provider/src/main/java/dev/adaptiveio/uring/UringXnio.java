package dev.adaptiveio.uring;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.natives.uring.IoUringSupport;
import dev.adaptiveio.core.natives.uring.RingConfig;
import dev.adaptiveio.core.natives.uring.UringViability;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnio;
import org.xnio.OptionMap;

/**
 * XNIO on io_uring. TCP connections, servers and outbound connects are completion-based on one
 * ring per I/O thread; UDP, pipes and UNIX sockets are served by XNIO's stock NIO.
 */
public final class UringXnio extends NativeXnio {

    public static final String NAME = EngineId.IO_URING.providerName();

    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static volatile UringXnio instance;

    private UringXnio() {
        super(NAME);
    }

    /**
     * The provider's single instance.
     *
     * @throws IllegalStateException naming the cause and the fix when io_uring is not usable
     *                               (checked on every call: {@code -Dadaptiveio.io_uring=disabled}
     *                               takes effect at once)
     */
    public static UringXnio instance() {
        UringViability v = IoUringSupport.viability();
        if (!v.isViable()) {
            if (WARNED.compareAndSet(false, true)) {
                UringLogger.LOG.unavailable(v.summary());
            }
            IOException cause = v.toException();
            throw new IllegalStateException(cause.getMessage(), cause);
        }
        UringXnio x = instance;
        if (x == null) {
            synchronized (UringXnio.class) {
                x = instance;
                if (x == null) {
                    UringLogger.LOG.available(v.tier(), v.kernelRelease(), RingConfig.fromSystemProperties());
                    instance = x = new UringXnio();
                }
            }
        }
        return x;
    }

    @Override
    protected Engine engine(OptionMap options) throws IOException {
        IoUringSupport.ensureAvailable();
        RingConfig ring = RingConfig.fromSystemProperties();
        Integer size = options.get(UringOptions.RING_SIZE);
        if (size != null) {
            ring = ring.withRingSize(size);
        }
        int recv = options.get(UringOptions.RECEIVE_BUFFER_SIZE,
                Integer.getInteger(UringEngine.RECV_BUFFER_PROPERTY, UringEngine.DEFAULT_RECV_BUFFER));
        UringAcceptMode acceptMode = options.get(UringOptions.ACCEPT_MODE);
        if (acceptMode == null) {
            acceptMode = UringEngine.acceptModeFromSystemProperty();
        }
        return new UringEngine(ring, recv, acceptMode, IoUringSupport.viability());
    }
}
