package dev.adaptiveio.core.worker;

import java.io.IOException;

import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The {@link Xnio} of a native engine. It remembers the option map a worker is created with,
 * which XNIO's builder does not keep, so engines can read their own options.
 */
public abstract class NativeXnio extends Xnio {

    protected NativeXnio(String name) {
        super(name);
    }

    /** The engine workers of this Xnio run; may read engine options from {@code options}. */
    protected abstract Engine engine(OptionMap options) throws IOException;

    /**
     * A new instance of this Xnio's engine, for a worker that runs several engines (the
     * {@code adaptive} provider).
     */
    public final Engine newEngine(OptionMap options) throws IOException {
        return engine(options);
    }

    @Override
    public XnioWorker.Builder createWorkerBuilder() {
        return new OptionsBuilder(this);
    }

    @Override
    protected XnioWorker build(XnioWorker.Builder builder) {
        OptionMap options = builder instanceof OptionsBuilder ? ((OptionsBuilder) builder).options : OptionMap.EMPTY;
        try {
            return new NativeXnioWorker(builder, engine(options), options);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** XNIO's builder, plus the option map it was populated from. */
    protected static class OptionsBuilder extends XnioWorker.Builder {
        OptionMap options = OptionMap.EMPTY;

        protected OptionsBuilder(Xnio xnio) {
            super(xnio);
        }

        @Override
        public XnioWorker.Builder populateFromOptions(OptionMap optionMap) {
            options = OptionMap.builder().addAll(options).addAll(optionMap).getMap();
            return super.populateFromOptions(optionMap);
        }

        public OptionMap options() {
            return options;
        }
    }
}
