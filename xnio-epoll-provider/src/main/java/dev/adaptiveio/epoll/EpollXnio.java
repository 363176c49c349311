package dev.adaptiveio.epoll;

import java.io.IOException;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.natives.NativeSupport;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnio;
import org.xnio.OptionMap;

/**
 * XNIO on native epoll. Connections, timers and servers run on edge-triggered epoll through
 * Netty's relocated native library; UDP, pipes and UNIX sockets are served by XNIO's stock NIO.
 */
public final class EpollXnio extends NativeXnio {

    public static final String NAME = EngineId.EPOLL.providerName();

    private static volatile EpollXnio instance;

    private EpollXnio() {
        super(NAME);
    }

    /**
     * The provider's single instance.
     *
     * @throws IllegalStateException naming the reason when native epoll is not usable here
     */
    public static EpollXnio instance() {
        EpollXnio x = instance;
        if (x == null) {
            synchronized (EpollXnio.class) {
                x = instance;
                if (x == null) {
                    try {
                        NativeSupport.ensureEpoll();
                    } catch (IOException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    instance = x = new EpollXnio();
                }
            }
        }
        return x;
    }

    @Override
    protected Engine engine(OptionMap options) {
        return EpollEngine.INSTANCE;
    }
}
