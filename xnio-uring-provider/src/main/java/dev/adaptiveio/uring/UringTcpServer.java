package dev.adaptiveio.uring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.adaptiveio.core.conn.ConnectionCore;
import dev.adaptiveio.core.log.CoreLogger;
import dev.adaptiveio.core.loop.FlushTarget;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.CompletionListener;
import dev.adaptiveio.core.natives.uring.Op;
import dev.adaptiveio.core.natives.uring.RingHandle;
import dev.adaptiveio.core.natives.uring.UringConstants;
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
 * A listening TCP socket served by every I/O thread of the worker, completion-based.
 * <p>
 * Each ring keeps one ACCEPT armed on the shared listening socket (multishot where the kernel has
 * it: one submission accepts connection after connection). The kernel wakes exactly one ACCEPT
 * per connection and binds the connection to that ring, even while its thread is busy in a
 * handler; {@code -Dadaptiveio.io_uring.acceptMode=readiness} makes each ring keep a multishot
 * POLL_ADD instead, so that only a running thread takes connections (with {@code accept4}).
 * Either way accepted fds queue on the thread that accepted them, and the accept listener runs
 * once per fd there, so {@code accept()} returns a connection already open. Suspending accepts
 * cancels the armed ops; accepts start suspended.
 */
final class UringTcpServer implements AcceptingChannel<StreamConnection>, UringStreamConnection.ServerTracker {

    private static final Option<?>[] SUPPORTED = {
        Options.REUSE_ADDRESSES, Options.RECEIVE_BUFFER, Options.SEND_BUFFER, Options.KEEP_ALIVE,
        Options.TCP_NODELAY, Options.READ_TIMEOUT, Options.WRITE_TIMEOUT, Options.CONNECTION_HIGH_WATER,
        Options.CONNECTION_LOW_WATER, Options.BACKLOG,
    };
    private static final long ACCEPT_RETRY_MILLIS = 100;
    /** {@code ring} (ACCEPT ops, the default) or {@code readiness} (POLL_ADD + accept4). */
    static final String ACCEPT_MODE_PROPERTY = "adaptiveio.io_uring.acceptMode";
    private static final int POLL_TAG = 1;
    private static final ThreadLocal<byte[]> ACCEPT_SCRATCH = ThreadLocal.withInitial(() -> new byte[26]);

    private final NativeXnioWorker worker;
    private final UringIoThread[] threads;
    private final NativeSocket listenSocket;
    private final InetSocketAddress localAddress;
    private final boolean multishot;
    /** Several threads: accept on readiness (see the class comment). */
    private final boolean acceptOnReadiness;
    private final Acceptor[] acceptors;
    private final ChannelListener.SimpleSetter<UringTcpServer> acceptSetter = new ChannelListener.SimpleSetter<>();
    private final ChannelListener.SimpleSetter<UringTcpServer> closeSetter = new ChannelListener.SimpleSetter<>();
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger nextThread = new AtomicInteger();
    private final AtomicInteger acceptorsLeft = new AtomicInteger();
    private final ManagementRegistration mbean;
    private final Object awaitLock = new Object();
    private volatile int awaiters;
    private long acceptableSignals;
    private volatile boolean resumed;
    private volatile boolean overLimit;
    private volatile int highWater;
    private volatile int lowWater;
    private volatile int readTimeout;
    private volatile int writeTimeout;

    UringTcpServer(NativeXnioWorker worker, UringIoThread[] threads, InetSocketAddress bindAddress, OptionMap options,
                   boolean multishot) throws IOException {
        this.worker = worker;
        this.threads = threads;
        this.multishot = multishot;
        String mode = System.getProperty(ACCEPT_MODE_PROPERTY);
        this.acceptOnReadiness = "readiness".equalsIgnoreCase(mode);
        this.highWater = options.get(Options.CONNECTION_HIGH_WATER, Integer.MAX_VALUE);
        this.lowWater = options.get(Options.CONNECTION_LOW_WATER, highWater);
        this.readTimeout = options.get(Options.READ_TIMEOUT, 0);
        this.writeTimeout = options.get(Options.WRITE_TIMEOUT, 0);
        NativeSocket socket = NativeSocket.openStream();
        boolean ok = false;
        try {
            // Accepted sockets inherit these from the listening socket on Linux.
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
        Acceptor own = acceptorOf(Thread.currentThread());
        if (own != null) {
            return own.take();
        }
        // Not an I/O thread: any thread's queued connection will do.
        int start = Math.floorMod(nextThread.getAndIncrement(), acceptors.length);
        for (int i = 0; i < acceptors.length; i++) {
            StreamConnection c = acceptors[(start + i) % acceptors.length].take();
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    private Acceptor acceptorOf(Thread t) {
        for (Acceptor a : acceptors) {
            if (a.thread == t) {
                return a;
            }
        }
        return null;
    }

    private UringStreamConnection open(UringIoThread thread, int fd) throws IOException {
        NativeSocket socket = NativeSocket.wrap(fd);
        ConnectionCore core = new ConnectionCore(socket, null, null);
        core.readTimeoutMillis(readTimeout);
        core.writeTimeoutMillis(writeTimeout);
        UringStreamConnection connection;
        try {
            connection = new UringStreamConnection(thread, core, this);
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        if (connections.incrementAndGet() >= highWater && !overLimit) {
            overLimit = true;
            updateArming();
        }
        return connection;
    }

    @Override
    public void connectionReleased(UringStreamConnection connection) {
        if (connections.decrementAndGet() <= lowWater && overLimit) {
            overLimit = false;
            updateArming();
        }
    }

    @Override
    public void suspendAccepts() {
        resumed = false;
        updateArming();
    }

    @Override
    public void resumeAccepts() {
        resumed = true;
        updateArming();
    }

    @Override
    public boolean isAcceptResumed() {
        return resumed;
    }

    @Override
    public void wakeupAccepts() {
        resumeAccepts();
        UringIoThread t = threads[Math.floorMod(nextThread.getAndIncrement(), threads.length)];
        t.execute(() -> ChannelListeners.invokeChannelListener(this, acceptSetter.get()));
    }

    private void updateArming() {
        for (Acceptor a : acceptors) {
            try {
                a.thread.runOnThread(a::updateArming);
            } catch (RejectedExecutionException ignored) {
                // that thread is gone
            }
        }
    }

    private boolean wantsAccepts() {
        return open.get() && (resumed && !overLimit || awaiters > 0);
    }

    @Override
    public void awaitAcceptable() throws IOException {
        awaitAcceptable(-1, TimeUnit.MILLISECONDS);
    }

    @Override
    public void awaitAcceptable(long time, TimeUnit timeUnit) throws IOException {
        long deadline = time < 0 ? Long.MAX_VALUE : System.nanoTime() + timeUnit.toNanos(time);
        synchronized (awaitLock) {
            for (Acceptor a : acceptors) {
                if (!a.ready.isEmpty()) {
                    return;
                }
            }
            awaiters++;
            updateArming();
            try {
                long before = acceptableSignals;
                long left;
                while (open.get() && acceptableSignals == before && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(awaitLock, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            } finally {
                awaiters--;
                updateArming();
            }
        }
    }

    private void signalAcceptable() {
        synchronized (awaitLock) {
            acceptableSignals++;
            awaitLock.notifyAll();
        }
    }

    /** The listening socket on one I/O thread's ring, and the fds accepted there. */
    private final class Acceptor implements CompletionListener, FlushTarget, java.io.Closeable {
        final UringIoThread thread;
        final ConcurrentLinkedQueue<Integer> ready = new ConcurrentLinkedQueue<>();
        RingHandle handle;
        boolean armed;
        boolean pollArmed;
        /** Readiness mode: the socket reported connections this thread has not taken yet. */
        boolean pending;
        boolean flushScheduled;
        boolean closed;
        XnioExecutor.Key retry;

        Acceptor(UringIoThread thread) {
            this.thread = thread;
        }

        void register() {
            if (!open.get()) {
                closeOnThread();
                return;
            }
            try {
                handle = thread.ring().register(listenSocket.fd(), this);
                thread.track(this);
                updateArming();
            } catch (IOException e) {
                CoreLogger.LOG.listenerFailed(e, UringTcpServer.this);
            }
        }

        StreamConnection take() throws IOException {
            Integer fd = ready.poll();
            return fd == null ? null : open(thread, fd);
        }

        void updateArming() {
            if (handle == null || closed) {
                return;
            }
            if (wantsAccepts()) {
                if (acceptOnReadiness) {
                    if (!pollArmed && retry == null) {
                        pollArmed = handle.pollAdd(UringConstants.POLLIN, true, POLL_TAG);
                    }
                } else if (!armed && retry == null) {
                    armed = handle.accept(multishot, 0);
                }
                if (resumed && !overLimit && (!ready.isEmpty() || pending)) {
                    schedule();
                }
            } else {
                if (armed) {
                    handle.cancel(Op.ACCEPT, 0);
                }
                if (pollArmed) {
                    handle.cancel(Op.POLL, POLL_TAG);
                }
            }
        }

        /** Readiness mode: takes what the backlog holds now, on this (running) thread. */
        private void acceptPending() throws IOException {
            pending = false;
            byte[] scratch = ACCEPT_SCRATCH.get();
            while (resumed && !overLimit && open.get() && connections.get() + ready.size() < highWater) {
                int fd = listenSocket.accept(scratch);
                if (fd < 0) {
                    return;
                }
                ready.add(fd);
            }
        }

        private void schedule() {
            if (!flushScheduled) {
                flushScheduled = true;
                thread.scheduleFlush(this);
            }
        }

        @Override
        public void onCompletion(RingHandle h, int kind, int tag, int result, int flags) {
            if (kind == Op.POLL) {
                if (!UringConstants.hasMore(flags)) {
                    pollArmed = false;
                }
                if (result > 0 && open.get()) {
                    pending = true;
                    if (awaiters > 0) {
                        signalAcceptable();
                    }
                } else if (result < 0 && result != -UringConstants.ECANCELED && open.get()) {
                    backOff(result);
                }
                schedule();
                return;
            }
            if (kind != Op.ACCEPT) {
                return;
            }
            if (!UringConstants.hasMore(flags)) {
                armed = false;
            }
            if (result >= 0) {
                if (!open.get()) {
                    closeFd(result);
                } else {
                    ready.add(result);
                    if (awaiters > 0) {
                        signalAcceptable();
                    }
                }
            } else if (result != -UringConstants.ECANCELED && open.get()) {
                backOff(result);
            }
            // Listener calls and re-arming happen at the end of the iteration.
            schedule();
        }

        /** EMFILE, ENFILE, ENOBUFS...: retry later instead of spinning. */
        private void backOff(int result) {
            UringLogger.LOG.acceptFailed(new IOException("accept failed: "
                    + UringConstants.errnoName(-result)), UringTcpServer.this);
            if (retry == null && open.get()) {
                retry = thread.executeAfter(() -> {
                    retry = null;
                    updateArming();
                }, ACCEPT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void flushGathered() {
            flushScheduled = false;
            if (closed) {
                return;
            }
            if (pending) {
                try {
                    acceptPending();
                } catch (IOException e) {
                    UringLogger.LOG.acceptFailed(e, UringTcpServer.this);
                }
            }
            // One listener call per connection, as many as Undertow takes.
            while (resumed && !overLimit && open.get() && !ready.isEmpty()) {
                int before = ready.size();
                ChannelListeners.invokeChannelListener(UringTcpServer.this, acceptSetter.get());
                if (ready.size() >= before) {
                    break;
                }
            }
            updateArming();
        }

        @Override
        public void onReleased(RingHandle h, boolean fdClosed, int closeResult) {
            Integer fd;
            while ((fd = ready.poll()) != null) {
                closeFd(fd);
            }
            thread.untrack(this);
            acceptorClosed();
        }

        @Override
        public void close() {
            closeOnThread();
        }

        @Override
        public void onRingClosing(RingHandle h) {
            closeOnThread();
        }

        void closeOnThread() {
            if (closed) {
                return;
            }
            closed = true;
            if (retry != null) {
                retry.remove();
                retry = null;
            }
            if (handle == null) {
                acceptorClosed();
            } else {
                handle.cancelAll();
                handle.release(false);
            }
            IoUtils.safeClose(UringTcpServer.this);
        }
    }

    private static void closeFd(int fd) {
        try {
            NativeSocket.wrap(fd).close();
        } catch (IOException ignored) {
            // nobody saw it
        }
    }

    // ---- close

    @Override
    public void close() throws IOException {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        // Stop listening now, so the port is free when close() returns; pending ACCEPTs complete
        // with an error, and the fd closes once no ring has an op on it.
        try {
            listenSocket.shutdownInput();
        } catch (IOException ignored) {
            // not listening any more either way
        }
        for (Acceptor a : acceptors) {
            try {
                a.thread.runOnThread(a::closeOnThread);
            } catch (RejectedExecutionException e) {
                // that thread has ended and released its acceptor already
            }
        }
        IoUtils.safeClose(mbean);
        signalAcceptable();
        ChannelListeners.invokeChannelListener(this, closeSetter.get());
    }

    private void acceptorClosed() {
        if (acceptorsLeft.decrementAndGet() == 0) {
            // No ring has an op on the fd any more: closing it cannot confuse a reused number.
            try {
                listenSocket.close();
            } catch (IOException e) {
                CoreLogger.LOG.closeFailed(e, this);
            }
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
            updateArming();
        } else if (option == Options.CONNECTION_LOW_WATER) {
            lowWater = value == null ? highWater : Options.CONNECTION_LOW_WATER.cast(value);
            updateArming();
        } else if (option == Options.BACKLOG) {
            listenSocket.listen(Options.BACKLOG.cast(value));
        }
        return old;
    }

    @Override
    public String toString() {
        return "io_uring TCP server " + localAddress;
    }

    private final class Metrics implements XnioServerMXBean {
        @Override
        public String getProviderName() {
            return UringXnio.NAME;
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
