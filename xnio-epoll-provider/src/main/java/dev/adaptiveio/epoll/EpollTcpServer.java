package dev.adaptiveio.epoll;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.epoll.EpollFlags;
import dev.adaptiveio.core.natives.epoll.EpollKey;
import dev.adaptiveio.core.natives.epoll.EpollListener;
import dev.adaptiveio.core.worker.NativeXnioWorker;
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
import org.xnio.management.XnioServerMXBean;

/**
 * A listening TCP socket served by every I/O thread of the worker.
 * <p>
 * One listening socket is registered, level-triggered, in every thread's epoll set; a thread
 * whose poll reports it runs the accept listener, and the connection accepted there stays on
 * that thread. This spreads connections as NIO does, and keeps one socket per listener (a
 * SO_REUSEPORT group would drop the connections queued on a member when it closes, and could
 * not be handed to another engine). Accepts start suspended.
 */
final class EpollTcpServer implements AcceptingChannel<StreamConnection>, EpollStreamConnection.ServerTracker {

    private static final Option<?>[] SUPPORTED = {
        Options.REUSE_ADDRESSES, Options.RECEIVE_BUFFER, Options.SEND_BUFFER, Options.KEEP_ALIVE,
        Options.TCP_NODELAY, Options.READ_TIMEOUT, Options.WRITE_TIMEOUT, Options.CONNECTION_HIGH_WATER,
        Options.CONNECTION_LOW_WATER, Options.BACKLOG,
    };

    private final NativeXnioWorker worker;
    private final EpollIoThread[] threads;
    private final NativeSocket listenSocket;
    private final InetSocketAddress localAddress;
    private final Acceptor[] acceptors;
    private final ChannelListener.SimpleSetter<EpollTcpServer> acceptSetter = new ChannelListener.SimpleSetter<>();
    private final ChannelListener.SimpleSetter<EpollTcpServer> closeSetter = new ChannelListener.SimpleSetter<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger nextThread = new AtomicInteger();
    private final ManagementRegistration mbean;
    private final Object awaitLock = new Object();
    private volatile boolean resumed;
    private volatile boolean overLimit;
    private volatile int highWater;
    private volatile int lowWater;
    private volatile int readTimeout;
    private volatile int writeTimeout;

    EpollTcpServer(NativeXnioWorker worker, EpollIoThread[] threads, InetSocketAddress bindAddress, OptionMap options)
            throws IOException {
        this.worker = worker;
        this.threads = threads;
        this.highWater = options.get(Options.CONNECTION_HIGH_WATER, Integer.MAX_VALUE);
        this.lowWater = options.get(Options.CONNECTION_LOW_WATER, highWater);
        this.readTimeout = options.get(Options.READ_TIMEOUT, 0);
        this.writeTimeout = options.get(Options.WRITE_TIMEOUT, 0);
        NativeSocket socket = NativeSocket.openStream();
        boolean ok = false;
        try {
            // Accepted sockets inherit these from the listening socket on Linux: set once here
            // rather than once per connection.
            socket.setReuseAddress(options.get(Options.REUSE_ADDRESSES, true));
            if (options.contains(Options.RECEIVE_BUFFER)) {
                socket.setReceiveBufferSize(options.get(Options.RECEIVE_BUFFER, 0));
            }
            if (options.contains(Options.SEND_BUFFER)) {
                socket.setSendBufferSize(options.get(Options.SEND_BUFFER, 0));
            }
            if (options.contains(Options.KEEP_ALIVE)) {
                socket.setKeepAlive(options.get(Options.KEEP_ALIVE, false));
            }
            if (options.contains(Options.TCP_NODELAY)) {
                socket.setTcpNoDelay(options.get(Options.TCP_NODELAY, false));
            }
            socket.bind(bindAddress);
            socket.listen(options.get(Options.BACKLOG, 128));
            this.localAddress = socket.localAddress();
            ok = true;
        } finally {
            if (!ok) {
                socket.close();
            }
        }
        this.listenSocket = socket;
        this.acceptors = new Acceptor[threads.length];
        this.acceptorsLeft.set(threads.length);
        for (int i = 0; i < threads.length; i++) {
            acceptors[i] = new Acceptor(threads[i]);
        }
        for (Acceptor a : acceptors) {
            a.thread.execute(a::register);
        }
        this.mbean = worker.registerServer(new Metrics());
    }

    // ---- accepting

    @Override
    public StreamConnection accept() throws IOException {
        if (!open.get()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        EpollIoThread target = currentOrNextThread();
        int fd = listenSocket.accept(acceptScratch());
        if (fd < 0) {
            return null;
        }
        NativeSocket socket = NativeSocket.wrap(fd);
        ConnectionCore core = new ConnectionCore(socket, null, null);
        core.readTimeoutMillis(readTimeout);
        core.writeTimeoutMillis(writeTimeout);
        EpollStreamConnection connection;
        try {
            connection = new EpollStreamConnection(target, core, this);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        if (connections.incrementAndGet() >= highWater && !overLimit) {
            overLimit = true;
            updateInterest();
        }
        return connection;
    }

    private static final ThreadLocal<byte[]> ACCEPT_SCRATCH = ThreadLocal.withInitial(() -> new byte[26]);

    private static byte[] acceptScratch() {
        return ACCEPT_SCRATCH.get();
    }

    private EpollIoThread currentOrNextThread() {
        Thread current = Thread.currentThread();
        for (EpollIoThread t : threads) {
            if (t == current) {
                return t;
            }
        }
        return threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
    }

    @Override
    public void connectionReleased(EpollStreamConnection connection) {
        if (connections.decrementAndGet() <= lowWater && overLimit) {
            overLimit = false;
            updateInterest();
        }
    }

    @Override
    public void suspendAccepts() {
        resumed = false;
        updateInterest();
    }

    @Override
    public void resumeAccepts() {
        resumed = true;
        updateInterest();
    }

    @Override
    public boolean isAcceptResumed() {
        return resumed;
    }

    @Override
    public void wakeupAccepts() {
        resumeAccepts();
        EpollIoThread t = threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
        t.execute(() -> ChannelListeners.invokeChannelListener(this, acceptSetter.get()));
    }

    private void updateInterest() {
        for (Acceptor a : acceptors) {
            try {
                a.thread.runOnThread(a::updateInterest);
            } catch (RejectedExecutionException ignored) {
                // that thread is gone
            }
        }
    }

    private boolean wantsEvents() {
        return open.get() && (resumed && !overLimit || awaiters() > 0);
    }

    private volatile int awaiters;

    private int awaiters() {
        return awaiters;
    }

    @Override
    public void awaitAcceptable() throws IOException {
        awaitAcceptable(-1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void awaitAcceptable(long time, TimeUnit timeUnit) throws IOException {
        long deadline = time < 0 ? Long.MAX_VALUE : System.nanoTime() + timeUnit.toNanos(time);
        synchronized (awaitLock) {
            awaiters++;
            updateInterest();
            try {
                long left;
                while (open.get() && (left = deadline - System.nanoTime()) > 0) {
                    long before = acceptableSignals;
                    TimeUnit.NANOSECONDS.timedWait(awaitLock, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                    if (acceptableSignals != before) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            } finally {
                awaiters--;
                updateInterest();
            }
        }
    }

    private long acceptableSignals;

    private void signalAcceptable() {
        synchronized (awaitLock) {
            acceptableSignals++;
            awaitLock.notifyAll();
        }
    }

    /** The listening socket's membership in one I/O thread's epoll set. */
    private final class Acceptor implements EpollListener, Closeable {
        final EpollIoThread thread;
        EpollKey key;

        Acceptor(EpollIoThread thread) {
            this.thread = thread;
        }

        void register() {
            if (!open.get()) {
                close();
                return;
            }
            try {
                key = thread.epoll().register(listenSocket.fd(), 0, this);
                thread.track(this);
                updateInterest();
            } catch (IOException e) {
                CoreLogger.LOG.listenerFailed(e, EpollTcpServer.this);
            }
        }

        void updateInterest() {
            if (key != null && key.isValid()) {
                key.interest(wantsEvents() ? EpollFlags.IN : 0);
            }
        }

        @Override
        public void onEpollEvents(int readyOps) {
            if (awaiters > 0) {
                signalAcceptable();
            }
            if (resumed && !overLimit && open.get()) {
                ChannelListeners.invokeChannelListener(EpollTcpServer.this, acceptSetter.get());
            }
        }

        private boolean closed;

        /**
         * Leaves this thread's epoll set; the server closes the fd when every acceptor has.
         * A thread shutting down closes its acceptor, and with it the whole server.
         */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (key != null) {
                key.cancel();
                key = null;
            }
            thread.untrack(this);
            acceptorClosed();
            IoUtils.safeClose(EpollTcpServer.this);
        }
    }

    // ---- close

    private final AtomicInteger acceptorsLeft = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        // Stop listening now, so the port is free when close() returns (a test or a reload
        // binds it again at once); the fd itself closes once no epoll set refers to it.
        try {
            listenSocket.shutdownInput();
        } catch (IOException ignored) {
            // not listening any more either way
        }
        for (Acceptor a : acceptors) {
            try {
                a.thread.runOnThread(a::close);
            } catch (RejectedExecutionException e) {
                // that thread has ended and closed its acceptor already
            }
        }
        IoUtils.safeClose(mbean);
        signalAcceptable();
        ChannelListeners.invokeChannelListener(this, closeSetter.get());
    }

    private void acceptorClosed() {
        if (acceptorsLeft.decrementAndGet() == 0) {
            // No epoll set refers to the fd any more: closing it cannot confuse a reused number.
            try {
                listenSocket.close();
            } catch (IOException e) {
                CoreLogger.LOG.closeFailed(e, this);
            }
            closed.countDown();
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
        return localAddress;
    }

    @Override
    public <A extends SocketAddress> A getLocalAddress(Class<A> type) {
        return type.isInstance(localAddress) ? type.cast(localAddress) : null;
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
        return threads[0];
    }

    @Override
    public boolean supportsOption(Option<?> option) {
        for (Option<?> o : SUPPORTED) {
            if (o == option) {
                return true;
            }
        }
        return false;
    }

    @Override
    public <T> T getOption(Option<T> option) throws IOException {
        Object v;
        if (option == Options.REUSE_ADDRESSES) {
            v = listenSocket.isReuseAddress();
        } else if (option == Options.RECEIVE_BUFFER) {
            v = listenSocket.getReceiveBufferSize();
        } else if (option == Options.SEND_BUFFER) {
            v = listenSocket.getSendBufferSize();
        } else if (option == Options.KEEP_ALIVE) {
            v = listenSocket.isKeepAlive();
        } else if (option == Options.TCP_NODELAY) {
            v = listenSocket.isTcpNoDelay();
        } else if (option == Options.READ_TIMEOUT) {
            v = readTimeout;
        } else if (option == Options.WRITE_TIMEOUT) {
            v = writeTimeout;
        } else if (option == Options.CONNECTION_HIGH_WATER) {
            v = highWater;
        } else if (option == Options.CONNECTION_LOW_WATER) {
            v = lowWater;
        } else {
            return null;
        }
        return option.cast(v);
    }

    @Override
    public <T> T setOption(Option<T> option, T value) throws IOException {
        T old = getOption(option);
        if (option == Options.REUSE_ADDRESSES) {
            listenSocket.setReuseAddress(Options.REUSE_ADDRESSES.cast(value, Boolean.FALSE));
        } else if (option == Options.RECEIVE_BUFFER) {
            listenSocket.setReceiveBufferSize(Options.RECEIVE_BUFFER.cast(value));
        } else if (option == Options.SEND_BUFFER) {
            listenSocket.setSendBufferSize(Options.SEND_BUFFER.cast(value));
        } else if (option == Options.KEEP_ALIVE) {
            listenSocket.setKeepAlive(Options.KEEP_ALIVE.cast(value, Boolean.FALSE));
        } else if (option == Options.TCP_NODELAY) {
            listenSocket.setTcpNoDelay(Options.TCP_NODELAY.cast(value, Boolean.FALSE));
        } else if (option == Options.READ_TIMEOUT) {
            readTimeout = value == null ? 0 : Options.READ_TIMEOUT.cast(value);
        } else if (option == Options.WRITE_TIMEOUT) {
            writeTimeout = value == null ? 0 : Options.WRITE_TIMEOUT.cast(value);
        } else if (option == Options.CONNECTION_HIGH_WATER) {
            highWater = value == null ? Integer.MAX_VALUE : Options.CONNECTION_HIGH_WATER.cast(value);
            updateInterest();
        } else if (option == Options.CONNECTION_LOW_WATER) {
            lowWater = value == null ? highWater : Options.CONNECTION_LOW_WATER.cast(value);
            updateInterest();
        } else if (option == Options.BACKLOG) {
            listenSocket.listen(Options.BACKLOG.cast(value));
        }
        return old;
    }

    @Override
    public String toString() {
        return "epoll TCP server " + localAddress;
    }

    private final class Metrics implements XnioServerMXBean {
        @Override
        public String getProviderName() {
            return EpollXnio.NAME;
        }

        @Override
        public String getWorkerName() {
            return worker.getName();
        }

        @Override
        public String getBindAddress() {
            return String.valueOf(localAddress);
        }

        @Override
        public int getConnectionCount() {
            return connections.get();
        }

        @Override
        public int getConnectionLimitHighWater() {
            return highWater;
        }

        @Override
        public int getConnectionLimitLowWater() {
            return lowWater;
        }
    }
}
