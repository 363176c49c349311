package dev.adaptiveio.wildfly;

import java.io.IOException;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.xnio.Xnio;
import org.xnio.XnioProvider;
import org.xnio.XnioWorker;

import dev.adaptiveio.wildfly.logging.AdaptiveIoLogger;

/**
 * Creates the {@link XnioWorker} of one {@code worker=*} resource on exactly the engine it names.
 * <p>
 * XNIO's provider lookup skips providers that fail to load and its default lookup then falls back to NIO
 * without a word, so the provider is looked up by name in this module's class loader (which imports the
 * {@code dev.adaptiveio.xnio} module's services) and the returned instance's name is checked again.
 */
final class WorkerFactory implements Supplier<XnioWorker> {

    private static final long SHUTDOWN_WAIT_MILLIS = 30_000;

    private final WorkerConfiguration config;
    private final ClassLoader providerLoader;

    WorkerFactory(WorkerConfiguration config, ClassLoader providerLoader) {
        this.config = config;
        this.providerLoader = providerLoader;
    }

    @Override
    public XnioWorker get() {
        String name = this.config.name();
        String engine = this.config.engine();
        Xnio xnio;
        try {
            xnio = Xnio.getInstance(engine, this.providerLoader);
        } catch (RuntimeException e) {
            Throwable cause = providerFailure(engine, this.providerLoader);
            if (cause == null) {
                throw AdaptiveIoLogger.ROOT_LOGGER.engineNotFound(name, engine, engine, describe(this.providerLoader), e);
            }
            throw AdaptiveIoLogger.ROOT_LOGGER.engineFailedToLoad(name, engine, String.valueOf(cause.getMessage()), cause);
        }
        if (!engine.equals(xnio.getName())) {
            throw AdaptiveIoLogger.ROOT_LOGGER.wrongEngine(name, engine, xnio.getName());
        }
        if (this.config.stackSize() > 0 && this.config.stackSize() < 150_000) {
            AdaptiveIoLogger.ROOT_LOGGER.lowStackSize(this.config.stackSize(), name);
        }
        XnioWorker worker;
        // Threads take their context class loader from the thread that creates them: the I/O threads
        // from this one, the task threads from those. JBoss Remoting unmarshals JMX requests with it
        // (javax.management.ObjectName), which MSC's own loader (org.wildfly.service) cannot see.
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(WorkerFactory.class.getClassLoader());
        try {
            worker = xnio.createWorker(this.config.toOptionMap());
        } catch (IOException | RuntimeException e) {
            throw AdaptiveIoLogger.ROOT_LOGGER.workerCreationFailed(name, engine, String.valueOf(e.getMessage()), e);
        } finally {
            current.setContextClassLoader(previous);
        }
        AdaptiveIoLogger.ROOT_LOGGER.workerStarted(name, xnio.getName(), worker.getIoThreadCount(),
                this.config.taskCoreThreads(), this.config.taskMaxThreads());
        return worker;
    }

    /**
     * XNIO logs a provider that fails to load at DEBUG only and reports "no provider found". Ask the provider again to
     * surface the real reason (missing native library, kernel too old...). Null if no provider has that name.
     */
    private static Throwable providerFailure(String engine, ClassLoader loader) {
        try {
            for (XnioProvider provider : ServiceLoader.load(XnioProvider.class, loader)) {
                if (engine.equals(provider.getName())) {
                    try {
                        provider.getInstance();
                    } catch (Throwable t) {
                        return t;
                    }
                }
            }
        } catch (ServiceConfigurationError e) {
            return e;
        }
        return null;
    }

    /** JBoss Modules names its class loaders after the module ("dev.adaptiveio.wildfly"). */
    private static String describe(ClassLoader loader) {
        return (loader.getName() != null) ? loader.getName() : loader.toString();
    }

    /** Stops a worker and waits (bounded) for its threads, so a restarted worker never overlaps the old one. */
    static void stop(XnioWorker worker) {
        worker.shutdown();
        try {
            if (!worker.awaitTermination(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                AdaptiveIoLogger.ROOT_LOGGER.workerSlowShutdown(worker.getName(), SHUTDOWN_WAIT_MILLIS);
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
        }
        AdaptiveIoLogger.ROOT_LOGGER.workerStopped(worker.getName());
    }
}
