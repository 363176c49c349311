package dev.adaptiveio.adaptive;

import java.io.IOException;

import dev.adaptiveio.core.natives.NativeSupport;
import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.worker.Engine;
import dev.adaptiveio.core.worker.NativeXnio;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * XNIO on both native engines: one worker runs the epoll engine's I/O threads and, from the
 * first listener that needs it, io_uring's; each listener starts on the engine its situation
 * favours and its controller moves new connections to the engine that suits the load.
 * <p>
 * Needs epoll (Linux); io_uring is optional: where it is not viable the provider runs on epoll
 * alone and says why once.
 */
public final class AdaptiveXnio extends NativeXnio {

    public static final String NAME = "adaptive";

    private static volatile AdaptiveXnio instance;

    private AdaptiveXnio() {
        super(NAME);
    }

    /**
     * @throws IllegalStateException naming the reason when native epoll is not usable here
     */
    public static AdaptiveXnio instance() {
        AdaptiveXnio x = instance;
        if (x == null) {
            synchronized (AdaptiveXnio.class) {
                x = instance;
                if (x == null) {
                    try {
                        NativeSupport.ensureEpoll();
                    } catch (IOException e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    instance = x = new AdaptiveXnio();
                }
            }
        }
        return x;
    }

    /** The epoll engine: every adaptive worker starts with it. */
    @Override
    protected Engine engine(OptionMap options) throws IOException {
        return engineOf(EngineId.EPOLL.providerName(), options);
    }

    /** The engine of another of our providers, found the way XNIO finds providers. */
    static Engine engineOf(String provider, OptionMap options) throws IOException {
        Xnio xnio;
        try {
            xnio = Xnio.getInstance(provider, AdaptiveXnio.class.getClassLoader());
        } catch (IllegalArgumentException e) {
            throw new IOException("The " + provider + " engine is not available: " + e.getMessage(), e);
        }
        if (!(xnio instanceof NativeXnio) || !provider.equals(xnio.getName())) {
            throw new IOException("XNIO provider '" + provider + "' is not an adaptive-io engine: " + xnio);
        }
        return ((NativeXnio) xnio).newEngine(options);
    }

    @Override
    protected XnioWorker build(XnioWorker.Builder builder) {
        OptionMap options = builder instanceof OptionsBuilder ? ((OptionsBuilder) builder).options() : OptionMap.EMPTY;
        try {
            return new AdaptiveXnioWorker(builder, engine(options), options);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
