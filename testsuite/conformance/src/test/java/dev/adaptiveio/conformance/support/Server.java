package dev.adaptiveio.conformance.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * A TCP server of the provider under test on 127.0.0.1. Like Undertow's openListenerAdapter, the
 * accept listener calls {@code accept()} once per call, so the provider must call it again while
 * connections are pending. It tracks open connections through their close listeners.
 */
public final class Server implements AutoCloseable {
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    public final AcceptingChannel<StreamConnection> channel;
    public final Set<StreamConnection> open = ConcurrentHashMap.newKeySet();
    public final AtomicInteger listenerCalls = new AtomicInteger();
    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger closed = new AtomicInteger();
    public final Problems problems;

    private Server(AcceptingChannel<StreamConnection> channel, Problems problems) {
        this.channel = channel;
        this.problems = problems;
    }

    /** Creates the server, leaves accepts suspended (as the channel starts). */
    public static Server create(TestWorker w, OptionMap options, Problems problems, Consumer<StreamConnection> onAccept) {
        Server[] self = new Server[1];
        AcceptingChannel<StreamConnection> channel;
        try {
            channel = w.worker.createStreamConnectionServer(new InetSocketAddress(LOOPBACK, 0), ch -> {
                Server s = self[0];
                s.listenerCalls.incrementAndGet();
                StreamConnection c;
                try {
                    c = ch.accept();
                } catch (IOException e) {
                    if (ch.isOpen()) {
                        problems.add(e); // a closed channel may report ClosedChannelException to a late call
                    }
                    return;
                }
                if (c == null) {
                    return; // permitted: nothing to accept right now
                }
                if (!w.onIoThread()) {
                    problems.add("accept listener ran on " + Thread.currentThread() + ", not an I/O thread of the worker");
                }
                if (c.getIoThread() != Thread.currentThread()) {
                    // Undertow's openListenerAdapter handles the new connection right here, in this thread.
                    problems.add("accept listener ran on " + Thread.currentThread() + " but the connection belongs to " + c.getIoThread());
                }
                s.accepted.incrementAndGet();
                s.open.add(c);
                c.setCloseListener(closed -> {
                    s.open.remove(c);
                    s.closed.incrementAndGet();
                });
                try {
                    onAccept.accept(c);
                } catch (Throwable t) {
                    problems.add(t);
                    IoUtils.safeClose(c);
                }
            }, options);
        } catch (IOException e) {
            throw new AssertionError("createStreamConnectionServer failed on " + w.provider, e);
        }
        Server s = new Server(channel, problems);
        self[0] = s;
        return s;
    }

    public static Server start(TestWorker w, OptionMap options, Problems problems, Consumer<StreamConnection> onAccept) {
        Server s = create(w, options, problems, onAccept);
        s.channel.resumeAccepts();
        return s;
    }

    /** An echo server: echoes everything, and after the peer's EOF shuts down writes and closes. */
    public static Server echo(TestWorker w, int bufferSize, OptionMap options, Problems problems) {
        return start(w, options, problems, c -> new Echo(w, c, bufferSize, problems).start());
    }

    /**
     * For failure messages: the state of up to 5 still-open connections, including what a read on
     * the connection's I/O thread returns now (-1 or data there means a listener call was missed).
     */
    public String describeOpen() {
        StringBuilder out = new StringBuilder();
        open.stream().limit(5).forEach(c -> {
            CompletableFuture<String> probe = new CompletableFuture<>();
            try {
                c.getIoThread().execute(() -> {
                    try {
                        probe.complete("readResumed=" + c.getSourceChannel().isReadResumed()
                                + " writeResumed=" + c.getSinkChannel().isWriteResumed()
                                + " readNow=" + c.getSourceChannel().read(ByteBuffer.allocate(64)));
                    } catch (IOException e) {
                        probe.complete("read threw " + e);
                    }
                });
                out.append("\n  ").append(c.getPeerAddress()).append(" on ").append(c.getIoThread().getName()).append(": ")
                        .append(probe.get(5, TimeUnit.SECONDS));
            } catch (Exception e) {
                out.append("\n  ").append(c).append(": probe failed ").append(e);
            }
        });
        return out.toString();
    }

    public InetSocketAddress address() {
        return channel.getLocalAddress(InetSocketAddress.class);
    }

    @Override
    public void close() {
        IoUtils.safeClose(channel);
        for (StreamConnection c : open) {
            IoUtils.safeClose(c);
        }
    }
}
