package dev.adaptiveio.core.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import dev.adaptiveio.core.EngineId;
import dev.adaptiveio.core.conn.NativeStreamConnection;
import dev.adaptiveio.core.conn.ReleaseListener;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.NativeIoThread;
import dev.adaptiveio.core.natives.NativeSocket;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.ManagementRegistration;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * A TCP server: one listening socket shared by I/O threads, each watching it through its
 * engine's {@link Acceptor}. A connection accepted on a thread stays on that thread.
 * <p>
 * One socket per server, not one {@code SO_REUSEPORT} socket per thread: the set of threads
 * (and engines) that accept can change without closing the socket, so no queued connection is
 * ever dropped, and XNIO's semantics for suspend/resume, limits and the local address stay
 * those of one socket. Accepts start suspended.
 */
public final class NativeTcpServer implements AcceptingChannel<StreamConnection>,
        ReleaseListener {

    private final XnioWorker worker;
    private final ListenSocket listenSocket;
    private final ServerOptions settings;
    private final ConnectionLimits limits;
    private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();
    /** Per accepting thread: what only that thread touches. */
    private final Map<Thread, ThreadShare> shares = new ConcurrentHashMap<>();
    private final ChannelListener.SimpleSetter<NativeTcpServer> acceptSetter = new ChannelListener.SimpleSetter<>();
    private final ChannelListener.SimpleSetter<NativeTcpServer> closeSetter = new ChannelListener.SimpleSetter<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicInteger nextAcceptor = new AtomicInteger();
    private final AtomicInteger acceptorsOpen = new AtomicInteger();
    private final AcceptWaiters waiters = new AcceptWaiters();
    private final ManagementRegistration mbean;
    private final ServerTraffic traffic = new ServerTraffic();
    private final List<Runnable> closeTasks = new CopyOnWriteArrayList<>();
    private volatile ConnectionObserver observer;
    private volatile boolean resumed;
    private volatile EngineId acceptingEngine;

    /**
     * Binds and listens; no thread accepts until acceptors are added and accepts resumed.
     */
    public <W extends XnioWorker & ServerHost> NativeTcpServer(W worker, SocketAddress bindAddress, OptionMap options)
            throws IOException {
        this.worker = worker;
        ServerOptions.check(options);
        this.limits = new ConnectionLimits(options);
        this.listenSocket = ListenSocket.open(bindAddress, options);
        this.settings = listenSocket.settings();
        try {
            this.mbean = worker.registerServer(new ServerMetrics(worker, this, limits));
        } catch (RuntimeException e) {
            try {
                listenSocket.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Tells {@code observer} of every connection this server accepts and of its release. */
    public void observe(ConnectionObserver observer) {
        this.observer = observer;
    }

    /** The listening socket's fd, for acceptors. */
    public int listenFd() {
        return listenSocket.fd();
    }

    /** Wraps an fd this server's listening socket accepted (TCP or UNIX domain, as the server). */
    public NativeSocket wrapAccepted(int fd) {
        return listenSocket.wrapAccepted(fd);
    }

    /**
     * One non-blocking accept on the listening socket, for an acceptor of any engine: the new fd,
     * or -1 when none waits. A {@code close()} on another thread can shut the listening socket
     * down under the call (EINVAL, or EBADF once the fd is gone): that is a closed channel, as
     * XNIO reports it, not a failure; whether the server was closed is asked after the call.
     */
    public int acceptFd() throws IOException {
        try {
            return listenSocket.accept();
        } catch (IOException e) {
            if (!isOpen()) {
                throw (ClosedChannelException) new ClosedChannelException().initCause(e);
            }
            throw e;
        }
    }

    /**
     * Lets {@code threads} accept, each through the acceptor {@code factory} makes for it.
     * May be called again later (an engine started lazily joins an open server).
     */
    public void addAcceptors(NativeIoThread[] threads, Function<NativeIoThread, Acceptor> factory) {
        for (NativeIoThread thread : threads) {
            Acceptor a = factory.apply(thread);
            acceptorsOpen.incrementAndGet();
            acceptors.add(a);
            thread.execute(() -> {
                if (!open.get()) {
                    a.close();
                    return;
                }
                try {
                    a.open();
                    a.update();
                } catch (IOException e) {
                    CoreLogger.LOG.listenerFailed(e, this);
                    a.close();
                }
            });
        }
    }

    /**
     * Restricts accepting to the threads of one engine ({@code null}: every thread). Connections
     * waiting in the backlog stay there and are accepted by the new engine.
     */
    public void acceptOnly(EngineId engine) {
        acceptingEngine = engine;
        updateAcceptors();
    }

    /** The engine whose threads accept now, or {@code null} when every thread does. */
    public EngineId acceptingEngine() {
        return acceptingEngine;
    }

    /** Whether {@code acceptor} should watch for connections now. */
    public boolean isAccepting(Acceptor acceptor) {
        if (!open.get()) {
            return false;
        }
        if (waiters.anyWaiting()) {
            return true;
        }
        return listenerMayAccept(acceptor);
    }

    /** Whether the accept listener may take connections on {@code acceptor}'s thread now. */
    private boolean listenerMayAccept(Acceptor acceptor) {
        EngineId only = acceptingEngine;
        return resumed && !limits.isOverLimit() && (only == null || only == acceptor.thread().engineId());
    }

    /** Acceptors call this on their thread when connections are pending. */
    public void acceptReady(Acceptor acceptor) {
        waiters.signal();
        if (open.get() && listenerMayAccept(acceptor)) {
            ChannelListeners.invokeChannelListener(this, acceptSetter.get());
        }
    }

    /**
     * {@link #acceptReady(Acceptor)} for acceptors that learn of pending connections by readiness:
     * Undertow's listener accepts one connection per call, so it runs again while each call takes
     * one of this thread's connections, at most {@code maxCalls} times. One call per loop iteration
     * left a burst of 1,000 connects waiting hundreds of iterations in the backlog.
     */
    public void acceptReady(Acceptor acceptor, int maxCalls) {
        ThreadShare share = shareOf(acceptor.thread());
        for (int i = 0; i < maxCalls; i++) {
            long before = share.taken;
            acceptReady(acceptor);
            if (share.taken == before) {
                return; // nothing pending, or the listener declined (suspended, over a limit)
            }
        }
    }

    private ThreadShare shareOf(Thread thread) {
        return shares.computeIfAbsent(thread, t -> new ThreadShare());
    }

    /**
     * Completion-based acceptors call this for a connection the kernel already handed them:
     * it is delivered while accepts are resumed, whichever engine currently accepts.
     */
    public void deliverAccepted(Acceptor acceptor) {
        waiters.signal();
        if (resumed && open.get()) {
            ChannelListeners.invokeChannelListener(this, acceptSetter.get());
        }
    }

    // ---- accepting

    @Override
    public StreamConnection accept() throws IOException {
        if (!open.get()) {
            throw new ClosedChannelException();
        }
        NativeStreamConnection c = null;
        Thread current = Thread.currentThread();
        Acceptor own = acceptorOf(current);
        if (own != null) {
            ThreadShare share = shares.get(current);
            c = share == null ? null : share.redelivered.poll();
            if (c == null) {
                c = own.accept();
            }
            if (c != null && share != null) {
                share.taken++;
            }
        } else {
            // Off the I/O threads: any acceptor that has a connection.
            List<Acceptor> list = acceptors;
            int start = Math.floorMod(nextAcceptor.getAndIncrement(), Math.max(1, list.size()));
            for (int i = 0; i < list.size() && c == null; i++) {
                c = list.get((start + i) % list.size()).accept();
            }
        }
        if (c == null) {
            return null;
        }
        c.core().readTimeoutMillis(settings.readTimeout());
        c.core().writeTimeoutMillis(settings.writeTimeout());
        ServerTraffic.PerEngine share = traffic.of(c.engineId());
        share.open.incrementAndGet();
        share.accepts.increment();
        c.acceptedBy(this, this, share);
        ConnectionObserver o = observer;
        if (o != null) {
            o.accepted(c);
        }
        if (limits.accepted()) {
            updateAcceptors();
        }
        return c;
    }

    /**
     * Hands a connection that moved to another I/O thread (detached and adopted there) back to
     * this server: on the connection's thread, the accept listener runs and {@code accept()}
     * returns it, so the application (Undertow's open listener) takes it up as it takes up any
     * new connection, carried bytes first. The thread must be one this server accepts on.
     */
    public void redeliver(NativeStreamConnection connection) {
        NativeIoThread thread = connection.nativeIoThread();
        thread.runOnThread(() -> {
            if (!open.get() || acceptorOf(thread) == null) {
                IoUtils.safeClose(connection);
                return;
            }
            ArrayDeque<NativeStreamConnection> queue = shareOf(thread).redelivered;
            queue.add(connection);
            ChannelListeners.invokeChannelListener(this, acceptSetter.get());
            if (queue.remove(connection)) {
                // The accept listener did not take it (it only accepts while resumed).
                IoUtils.safeClose(connection);
            }
        });
    }

    private Acceptor acceptorOf(Thread thread) {
        for (Acceptor a : acceptors) {
            if (a.thread() == thread) {
                return a;
            }
        }
        return null;
    }

    @Override
    public void connectionReleased(NativeStreamConnection connection) {
        traffic.of(connection.engineId()).open.decrementAndGet();
        ConnectionObserver o = observer;
        if (o != null) {
            o.released(connection);
        }
        if (limits.released()) {
            updateAcceptors();
        }
    }

    /** Per-engine counters of this server's connections. */
    public ServerTraffic traffic() {
        return traffic;
    }

    /** Runs {@code task} once when this server closes (for whoever manages it). */
    public void onClose(Runnable task) {
        closeTasks.add(task);
    }

    /** Connections accepted by this server that are still open. */
    public int connectionCount() {
        return limits.openConnections();
    }

    @Override
    public void suspendAccepts() {
        resumed = false;
        updateAcceptors();
    }

    @Override
    public void resumeAccepts() {
        resumed = true;
        updateAcceptors();
    }

    @Override
    public boolean isAcceptResumed() {
        return resumed;
    }

    @Override
    public void wakeupAccepts() {
        resumeAccepts();
        List<Acceptor> list = acceptors;
        if (!list.isEmpty()) {
            Acceptor a = list.get(Math.floorMod(nextAcceptor.getAndIncrement(), list.size()));
            a.thread().execute(() -> ChannelListeners.invokeChannelListener(this, acceptSetter.get()));
        }
    }

    private void updateAcceptors() {
        for (Acceptor a : acceptors) {
            try {
                a.thread().runOnThread(a::update);
            } catch (RejectedExecutionException ignored) {
                // that thread is gone, and its acceptor with it
            }
        }
    }

    @Override
    public void awaitAcceptable() throws IOException {
        awaitAcceptable(-1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void awaitAcceptable(long time, TimeUnit timeUnit) throws IOException {
        long deadline = time < 0 ? Long.MAX_VALUE : System.nanoTime() + timeUnit.toNanos(time);
        waiters.await(deadline, open::get, this::updateAcceptors);
    }

    // ---- close

    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        // Stop listening now, so the port is free when close() returns (a test or a reload
        // binds it again at once); the fd itself closes once no engine refers to it.
        listenSocket.stopListening();
        for (Acceptor a : acceptors) {
            try {
                a.thread().runOnThread(a::close);
            } catch (RejectedExecutionException e) {
                // that thread has ended and closed its acceptor already
            }
        }
        if (acceptorsOpen.get() == 0) {
            closeListenFd();
        }
        IoUtils.safeClose(mbean);
        for (Runnable task : closeTasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                CoreLogger.LOG.closeFailed(e, this);
            }
        }
        waiters.wakeAll();
        ChannelListeners.invokeChannelListener(this, closeSetter.get());
    }

    /** Acceptors call this once their engine no longer refers to the listening fd. */
    public void acceptorClosed(Acceptor acceptor) {
        int left = acceptorsOpen.decrementAndGet();
        if (open.get()) {
            // A thread shutting down closes its acceptor, and with it the whole server.
            IoUtils.safeClose(this);
        } else if (left == 0) {
            closeListenFd();
        }
    }

    private void closeListenFd() {
        try {
            listenSocket.close();
        } catch (IOException e) {
            CoreLogger.LOG.closeFailed(e, this);
        }
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    // ---- channel plumbing

    @Override
    public ChannelListener.Setter<? extends AcceptingChannel<StreamConnection>> getAcceptSetter() {
        return acceptSetter;
    }

    @Override
    public ChannelListener.Setter<? extends AcceptingChannel<StreamConnection>> getCloseSetter() {
        return closeSetter;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return listenSocket.localAddress();
    }

    @Override
    public <A extends SocketAddress> A getLocalAddress(Class<A> type) {
        return type.isInstance(listenSocket.localAddress()) ? type.cast(listenSocket.localAddress()) : null;
    }

    @Override
    public XnioWorker getWorker() {
        return worker;
    }

    @Override
    @Deprecated
    public XnioExecutor getAcceptThread() {
        return getIoThread();
    }

    @Override
    public XnioIoThread getIoThread() {
        List<Acceptor> list = acceptors;
        return list.isEmpty() ? worker.getIoThread(0) : list.get(0).thread();
    }

    @Override
    public boolean supportsOption(Option<?> option) {
        return ServerOptions.supports(option);
    }

    @Override
    public <T> T getOption(Option<T> option) throws IOException {
        Object v;
        if (option == Options.CONNECTION_HIGH_WATER) {
            v = limits.highWater();
        } else if (option == Options.CONNECTION_LOW_WATER) {
            v = limits.lowWater();
        } else {
            v = settings.get(option);
        }
        return v == null ? null : option.cast(v);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T setOption(Option<T> option, T value) throws IOException {
        T old = getOption(option);
        if (option == Options.CONNECTION_HIGH_WATER || option == Options.CONNECTION_LOW_WATER) {
            limits.setMark(option == Options.CONNECTION_HIGH_WATER,
                    value == null ? Integer.MAX_VALUE : ((Option<Integer>) option).cast(value));
            updateAcceptors();
        } else {
            settings.set(option, value);
        }
        return old;
    }

    @Override
    public String toString() {
        return "TCP server " + listenSocket.localAddress() + " on " + worker.getName();
    }
}
