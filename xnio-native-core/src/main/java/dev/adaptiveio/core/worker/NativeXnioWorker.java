package dev.adaptiveio.core.worker;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.LoopOwner;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.server.NativeTcpServer;
import dev.adaptiveio.core.server.ServerHost;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.LocalSocketAddress;
import org.xnio.ManagementRegistration;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.channels.BoundChannel;
import org.xnio.channels.MulticastMessageChannel;
import org.xnio.management.XnioServerMXBean;
import org.xnio.management.XnioWorkerMXBean;

/**
 * An XNIO worker whose I/O threads run one native engine. The task pool comes from XNIO's
 * builder, as with every XNIO worker.
 * <p>
 * UDP and pipes are served by a stock NIO worker created on first use: they are not on
 * Undertow's hot path and XNIO's own implementation of them is proven. UNIX domain sockets are
 * the engine's own (XNIO's NIO has none).
 */
public class NativeXnioWorker extends XnioWorker implements LoopOwner, ServerHost {

    private final Engine engine;
    private final NativeIoThread[] threads;
    private final AtomicInteger nextThread = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Every engine's threads, the primary engine first; more engines may join later. */
    private final Map<EngineId, NativeIoThread[]> threadsByEngine = new ConcurrentHashMap<>();
    private final Map<EngineId, Engine> enginesById = new ConcurrentHashMap<>();
    private final AtomicInteger liveThreads = new AtomicInteger();
    private volatile boolean taskPoolDone;
    private final AtomicBoolean terminationRun = new AtomicBoolean();
    private final int threadsPerEngine;
    private final ThreadGroup threadGroup;
    private final long stackSize;
    private final boolean daemon;
    private final Set<XnioServerMXBean> serverBeans = new CopyOnWriteArraySet<>();
    private final Closeable mbeanRegistration;
    private final OptionMap optionMap;
    private volatile boolean shutdownRequested;
    private volatile XnioWorker fallbackWorker;

    public NativeXnioWorker(Builder builder, Engine engine, OptionMap optionMap) throws IOException {
        super(builder);
        this.engine = engine;
        this.optionMap = optionMap;
        this.threadsPerEngine = Math.max(1, builder.getWorkerIoThreads());
        this.threadGroup = builder.getThreadGroup();
        this.stackSize = builder.getWorkerStackSize();
        this.daemon = builder.isDaemon();
        this.threads = startThreads(engine);
        this.mbeanRegistration = XnioMBeans.registerWorker(new Metrics());
    }

    /**
     * Starts the I/O threads of another engine in this worker (the {@code adaptive} provider's
     * second engine, built on first need), or returns them if already started.
     */
    public final synchronized NativeIoThread[] startEngine(Engine other) throws IOException {
        NativeIoThread[] existing = threadsByEngine.get(other.id());
        if (existing != null) {
            return existing.clone();
        }
        checkNotShutdown();
        return startThreads(other).clone();
    }

    /** The threads of {@code engine}, or {@code null} if that engine has not started here. */
    public final NativeIoThread[] ioThreads(EngineId engine) {
        NativeIoThread[] t = threadsByEngine.get(engine);
        return t == null ? null : t.clone();
    }

    private NativeIoThread[] startThreads(Engine e) throws IOException {
        NativeIoThread[] started = new NativeIoThread[threadsPerEngine];
        for (int i = 0; i < started.length; i++) {
            started[i] = e.newIoThread(this, i, getName() + " " + e.name() + " I/O-" + (i + 1), threadGroup, stackSize);
            started[i].setDaemon(daemon);
        }
        liveThreads.addAndGet(started.length);
        enginesById.put(e.id(), e);
        threadsByEngine.put(e.id(), started);
        for (NativeIoThread t : started) {
            t.start();
        }
        CoreLogger.LOG.workerStarted(getName(), started.length, e.name());
        return started;
    }

    public final Engine engine() {
        return engine;
    }

    /** The engine whose I/O thread {@code thread} is. */
    public final Engine engineOf(NativeIoThread thread) {
        Engine e = enginesById.get(thread.engineId());
        if (e == null) {
            throw new IllegalArgumentException(thread + " is not an I/O thread of " + getName());
        }
        return e;
    }

    /** This worker's I/O threads (the array is a copy). */
    public final NativeIoThread[] ioThreads() {
        return threads.clone();
    }

    // ---- XnioWorker: threads

    @Override
    public int getIoThreadCount() {
        return threads.length;
    }

    @Override
    public XnioIoThread getIoThread(int hashCode) {
        return threads[Math.floorMod(hashCode, threads.length)];
    }

    @Override
    protected XnioIoThread chooseThread() {
        return threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
    }

    // ---- servers

    @Override
    protected AcceptingChannel<StreamConnection> createTcpConnectionServer(InetSocketAddress bindAddress,
            ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener, OptionMap optionMap)
            throws IOException {
        checkNotShutdown();
        return engine.createTcpServer(this, threads, bindAddress, acceptListener, optionMap);
    }

    @Override
    protected AcceptingChannel<StreamConnection> createLocalStreamConnectionServer(
            LocalSocketAddress bindAddress,
            ChannelListener<? super AcceptingChannel<StreamConnection>> acceptListener, OptionMap optionMap)
            throws IOException {
        checkNotShutdown();
        // Native UNIX domain sockets on the engine's threads (XNIO's NIO has none).
        NativeTcpServer server = new NativeTcpServer(this, bindAddress, optionMap);
        server.getAcceptSetter().set(acceptListener);
        server.addAcceptors(threads, thread -> engine.newAcceptor(server, thread));
        return server;
    }

    @Override
    public MulticastMessageChannel createUdpServer(InetSocketAddress bindAddress,
            ChannelListener<? super MulticastMessageChannel> bindListener, OptionMap optionMap) throws IOException {
        return fallbackWorker().createUdpServer(bindAddress, bindListener, optionMap);
    }

    /**
     * The stock NIO worker that serves what this engine leaves to XNIO (UDP, pipes, UNIX
     * sockets), created on first use with one I/O thread.
     */
    public final XnioWorker fallbackWorker() throws IOException {
        XnioWorker w = fallbackWorker;
        if (w == null) {
            synchronized (this) {
                w = fallbackWorker;
                if (w == null) {
                    checkNotShutdown();
                    Xnio nio = Xnio.getInstance("nio", NativeXnioWorker.class.getClassLoader());
                    w = nio.createWorker(OptionMap.builder().addAll(optionMap)
                            .set(Options.WORKER_NAME, getName() + "-nio-fallback")
                            .set(Options.WORKER_IO_THREADS, 1).getMap());
                    fallbackWorker = w;
                }
            }
        }
        return w;
    }

    /** Registers a server's MXBean with this worker's metrics and the platform MBean server. */
    @Override
    public final ManagementRegistration registerServer(XnioServerMXBean bean) {
        return registerServerMXBean(bean);
    }

    // ---- life cycle

    private void checkNotShutdown() throws IOException {
        if (shutdownRequested) {
            throw CoreLogger.LOG.workerShutDown(getName());
        }
    }

    @Override
    public void shutdown() {
        synchronized (this) {
            if (shutdownRequested) {
                return;
            }
            shutdownRequested = true;
        }
        for (NativeIoThread[] group : threadsByEngine.values()) {
            for (NativeIoThread t : group) {
                t.requestShutdown();
            }
        }
        XnioWorker w = fallbackWorker;
        if (w != null) {
            w.shutdown();
        }
        shutDownTaskPool();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        List<Runnable> pending = new ArrayList<>(shutDownTaskPoolNow());
        XnioWorker w = fallbackWorker;
        if (w != null) {
            pending.addAll(w.shutdownNow());
        }
        return pending;
    }

    @Override
    public boolean isShutdown() {
        return shutdownRequested;
    }

    @Override
    public boolean isTerminated() {
        XnioWorker w = fallbackWorker;
        return terminated.getCount() == 0 && (w == null || w.isTerminated());
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!terminated.await(timeout, unit)) {
            return false;
        }
        XnioWorker w = fallbackWorker;
        return w == null || w.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
        XnioWorker w = fallbackWorker;
        if (w != null) {
            w.awaitTermination();
        }
    }

    /** The worker that owns {@code thread} (every native I/O thread belongs to one). */
    public static NativeXnioWorker of(NativeIoThread thread) {
        return (NativeXnioWorker) thread.getWorker();
    }

    @Override
    public final IoFuture<StreamConnection> acceptOne(NativeIoThread thread, SocketAddress destination,
            ChannelListener<? super StreamConnection> openListener, ChannelListener<? super BoundChannel> bindListener,
            OptionMap optionMap) {
        return SingleAccept.start(this, thread, destination, openListener, bindListener, optionMap);
    }

    /** Called by each I/O thread as it exits. */
    @Override
    public final void ioThreadTerminated(NativeIoThread thread) {
        liveThreads.decrementAndGet();
        checkTerminated();
    }

    @Override
    protected void taskPoolTerminated() {
        taskPoolDone = true;
        checkTerminated();
    }

    private void checkTerminated() {
        if (taskPoolDone && liveThreads.get() == 0 && terminationRun.compareAndSet(false, true)) {
            IoUtils.safeClose(mbeanRegistration);
            // The task completes before anyone sees the worker terminated: a caller may wait for
            // termination and then for the task (XNIO's own tests do, holding the task's lock).
            Runnable task = getTerminationTask();
            if (task != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    CoreLogger.LOG.taskFailed(t, getName());
                }
            }
            terminated.countDown();
        }
    }

    // ---- management

    @Override
    public XnioWorkerMXBean getMXBean() {
        return new Metrics();
    }

    @Override
    protected ManagementRegistration registerServerMXBean(XnioServerMXBean metrics) {
        serverBeans.add(metrics);
        Closeable handle = XnioMBeans.registerServer(metrics);
        return () -> {
            serverBeans.remove(metrics);
            IoUtils.safeClose(handle);
        };
    }

    private final class Metrics implements XnioWorkerMXBean {
        @Override
        public String getProviderName() {
            return getXnio().getName();
        }

        @Override
        public String getName() {
            return NativeXnioWorker.this.getName();
        }

        @Override
        public boolean isShutdownRequested() {
            return shutdownRequested;
        }

        @Override
        public int getCoreWorkerPoolSize() {
            return NativeXnioWorker.this.getCoreWorkerPoolSize();
        }

        @Override
        public int getMaxWorkerPoolSize() {
            return NativeXnioWorker.this.getMaxWorkerPoolSize();
        }

        @Override
        public int getWorkerPoolSize() {
            return NativeXnioWorker.this.getWorkerPoolSize();
        }

        @Override
        public int getBusyWorkerThreadCount() {
            return NativeXnioWorker.this.getBusyWorkerThreadCount();
        }

        @Override
        public int getIoThreadCount() {
            int n = 0;
            for (NativeIoThread[] group : threadsByEngine.values()) {
                n += group.length;
            }
            return n;
        }

        @Override
        public int getWorkerQueueSize() {
            return NativeXnioWorker.this.getWorkerQueueSize();
        }

        @Override
        public Set<XnioServerMXBean> getServerMXBeans() {
            return serverBeans;
        }
    }
}
