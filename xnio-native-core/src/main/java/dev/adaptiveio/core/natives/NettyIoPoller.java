package dev.adaptiveio.core.natives;

import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * An {@link IoPoller} over one of Netty's {@link IoHandler}s, driven by our own loop instead of a
 * Netty event loop.
 */
public abstract class NettyIoPoller implements IoPoller {

    private final Thread owner;
    private final IoHandler handler;
    private final LoopContext context = new LoopContext();

    protected NettyIoPoller(Thread owner, Executor taskExecutor, IoHandlerFactory factory) {
        this.owner = owner;
        this.handler = factory.newHandler(new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return thread == owner;
            }

            @Override
            public void execute(Runnable command) {
                taskExecutor.execute(command);
            }
        });
    }

    protected final IoHandler handler() {
        return handler;
    }

    protected final boolean inOwnerThread() {
        return Thread.currentThread() == owner;
    }

    @Override
    public void initialize() {
        handler.initialize();
    }

    @Override
    public int poll(BooleanSupplier mayBlock, long deadlineNanos) {
        context.mayBlock = mayBlock;
        context.deadlineNanos = deadlineNanos;
        return handler.run(context);
    }

    @Override
    public void wakeup() {
        handler.wakeup();
    }

    @Override
    public void close() {
        try {
            handler.prepareToDestroy();
        } finally {
            handler.destroy();
        }
    }

    private static final class LoopContext implements IoHandlerContext {
        BooleanSupplier mayBlock;
        long deadlineNanos;

        @Override
        public boolean canBlock() {
            return mayBlock.getAsBoolean();
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            if (deadlineNanos == -1L) {
                return Long.MAX_VALUE;
            }
            return Math.max(0L, deadlineNanos - currentTimeNanos);
        }

        @Override
        public long deadlineNanos() {
            return deadlineNanos;
        }
    }
}
