package dev.adaptiveio.core.natives;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NotYetConnectedException;

import dev.adaptiveio.core.log.CoreLogger;
import io.netty.channel.epoll.AdaptiveIoSendFile;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.Socket;
import org.xnio.LocalSocketAddress;
import org.xnio.OptionMap;
import org.xnio.Options;

/**
 * A non-blocking TCP socket file descriptor and the system calls we make on it.
 * <p>
 * I/O results follow XNIO: a positive count, {@code 0} when the call would block, {@code -1} at
 * end of stream. The caller owns the fd: nothing here closes it except {@link #close()}.
 */
public final class NativeSocket {

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_CORK = 3;
    private static final int SOL_SOCKET = 1;
    private static final int SO_OOBINLINE = 10;
    private static final int MAX_IOV = 1024;
    private static final int HEAP_COPY_CHUNK = 64 * 1024;
    private static final ThreadLocal<ByteBuffer> HEAP_BOUNCE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(HEAP_COPY_CHUNK));

    /** The only {@link FileChannel} class whose fd the native sendfile can find: a plain file. */
    private static final String PLAIN_FILE_CHANNEL = "sun.nio.ch.FileChannelImpl";

    private final Socket socket;
    private final boolean domain;
    /** Made on the first file sent (a benign race: two threads may each make one). */
    private AdaptiveIoSendFile fileSender;

    private NativeSocket(Socket socket, boolean domain) {
        this.socket = socket;
        this.domain = domain;
    }

    /** Wraps an fd that is already a non-blocking TCP socket. */
    public static NativeSocket wrap(int fd) {
        return new NativeSocket(new Socket(fd), false);
    }

    /** Wraps an fd that is already a non-blocking UNIX domain stream socket. */
    public static NativeSocket wrapDomain(int fd) {
        return new NativeSocket(new Socket(fd), true);
    }

    /** A new non-blocking TCP socket (dual-stack where the JVM prefers IPv6). */
    public static NativeSocket openStream() {
        return new NativeSocket(Socket.newSocketStream(), false);
    }

    /** A new non-blocking UNIX domain stream socket. */
    public static NativeSocket openDomain() {
        return new NativeSocket(Socket.newSocketDomain(), true);
    }

    /** Whether this is a UNIX domain socket (no TCP options, {@link org.xnio.LocalSocketAddress}es). */
    public boolean isDomain() {
        return domain;
    }

    public int fd() {
        return socket.intValue();
    }

    public boolean isOpen() {
        return socket.isOpen();
    }

    // ---- data

    public int read(ByteBuffer dst) throws IOException {
        int pos = dst.position();
        int limit = dst.limit();
        if (pos == limit) {
            return 0;
        }
        if (dst.isDirect()) {
            int n = socket.read(dst, pos, limit);
            if (n > 0) {
                dst.position(pos + n);
            }
            return n;
        }
        ByteBuffer bounce = HEAP_BOUNCE.get();
        bounce.clear().limit(Math.min(bounce.capacity(), limit - pos));
        int n = socket.read(bounce, 0, bounce.limit());
        if (n > 0) {
            bounce.limit(n);
            dst.put(bounce);
        }
        return n;
    }

    /** How many bytes one {@link #read(ByteBuffer)} into {@code dst} asks the kernel for. */
    public static int readSize(ByteBuffer dst) {
        return dst.isDirect() ? dst.remaining() : Math.min(dst.remaining(), HEAP_COPY_CHUNK);
    }

    /**
     * Whether {@code e} only says that the peer went away (reset, broken pipe, timed out...): the
     * end of a connection, not a fault of the engine. Decided by errno, for the system calls made
     * here (Netty's exception) and for io_uring results ({@link NativeIoException}).
     */
    public static boolean isPeerGone(IOException e) {
        if (e instanceof NativeIoException) {
            return NativeIoException.isPeerGone(((NativeIoException) e).errno());
        }
        if (e instanceof Errors.NativeIoException) {
            // Netty carries the negative errno.
            return NativeIoException.isPeerGone(-((Errors.NativeIoException) e).expectedErr());
        }
        return false;
    }

    public int write(ByteBuffer src) throws IOException {
        int pos = src.position();
        int limit = src.limit();
        if (pos == limit) {
            return 0;
        }
        if (src.isDirect()) {
            int n = socket.write(src, pos, limit);
            src.position(pos + n);
            return n;
        }
        // Bounce after bounce while the kernel takes each whole: a large heap buffer then costs
        // one call per 64 KiB, not one loop iteration (or one writer wake-up) per 64 KiB.
        ByteBuffer bounce = HEAP_BOUNCE.get();
        int total = 0;
        while (pos < limit) {
            int len = Math.min(bounce.capacity(), limit - pos);
            bounce.clear();
            bounce.put(0, src, pos, len);
            int n = socket.write(bounce, 0, len);
            pos += n;
            total += n;
            src.position(pos);
            if (n < len) {
                break;
            }
        }
        return total;
    }

    /**
     * Gathering write. Heap buffers are written through a bounce buffer one at a time, direct
     * buffers in one {@code writev}.
     */
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (!srcs[i].isDirect()) {
                return writeOneByOne(srcs, offset, length);
            }
        }
        long total = 0;
        int end = offset + length;
        // More than MAX_IOV buffers take several calls: a result short of the whole array then
        // still means "the kernel is full", which edge-triggered callers rely on.
        for (int start = offset; start < end; ) {
            int count = Math.min(end - start, MAX_IOV);
            long asked = 0;
            for (int i = start; i < start + count; i++) {
                asked += srcs[i].remaining();
            }
            long n = socket.writev(srcs, start, count, Long.MAX_VALUE);
            long left = n;
            for (int i = start; i < start + count && left > 0; i++) {
                ByteBuffer b = srcs[i];
                int take = (int) Math.min(b.remaining(), left);
                b.position(b.position() + take);
                left -= take;
            }
            total += n;
            if (n < asked) {
                break;
            }
            start += count;
        }
        return total;
    }

    private long writeOneByOne(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            total += write(b);
            if (b.hasRemaining()) {
                // write() comes back short only when the kernel is full (a heap buffer goes bounce
                // after bounce until one is not taken whole): asking again would only meet EAGAIN.
                return total;
            }
        }
        return total;
    }

    /**
     * Whether {@link #sendFile} can send from {@code file}: a plain file's channel (the native code
     * reads the fd out of the JDK's own class; a wrapper, a zip file system's channel or any other
     * implementation has none it can find) and a native library that has sendfile.
     */
    public static boolean canSendFile(FileChannel file) {
        return file.getClass().getName().equals(PLAIN_FILE_CHANNEL) && SendFileLibrary.AVAILABLE;
    }

    /**
     * {@code sendfile(2)}: up to {@code count} bytes of {@code file} from {@code position} (the
     * file's own position does not move) go from the page cache to the socket, no byte through
     * Java. Only for channels {@link #canSendFile} accepts; Linux sends at most a little under
     * 2 GiB per call.
     *
     * @return bytes sent, less than asked when the socket filled up or the file ended;
     *         {@code 0} when the socket is full
     */
    public long sendFile(FileChannel file, long position, long count) throws IOException {
        AdaptiveIoSendFile sender = fileSender;
        if (sender == null) {
            sender = new AdaptiveIoSendFile(fd());
            fileSender = sender;
        }
        return sender.send(file, position, count);
    }

    /**
     * Netty's io_uring library has no sendfile; its epoll library has. Loaded on the first file
     * transfer, by the io_uring engine too: both libraries live side by side in one JVM (the
     * adaptive provider runs both engines).
     */
    private static final class SendFileLibrary {
        static final boolean AVAILABLE = load();

        private static boolean load() {
            Throwable cause;
            try {
                if (Epoll.isAvailable()) {
                    return true;
                }
                cause = Epoll.unavailabilityCause();
            } catch (LinkageError e) {
                cause = e;
            }
            CoreLogger.LOG.sendFileUnavailable(String.valueOf(cause));
            return false;
        }
    }

    // ---- connection set-up

    /** Binds to an {@link InetSocketAddress} or, for a domain socket, a {@link org.xnio.LocalSocketAddress}. */
    public void bind(SocketAddress address) throws IOException {
        socket.bind(native_(address));
    }

    private static SocketAddress native_(SocketAddress address) {
        if (address instanceof LocalSocketAddress) {
            return new DomainSocketAddress(((LocalSocketAddress) address).getName());
        }
        return address;
    }

    public void listen(int backlog) throws IOException {
        socket.listen(backlog);
    }

    /** @return the accepted non-blocking fd, or {@code -1} when none is pending */
    public int accept(byte[] addressScratch) throws IOException {
        return socket.accept(addressScratch);
    }

    /** @return {@code true} if connected at once, {@code false} if in progress */
    public boolean connect(SocketAddress remote) throws IOException {
        return socket.connect(native_(remote));
    }

    /** @return {@code true} once the connection is established */
    public boolean finishConnect() throws IOException {
        return socket.finishConnect();
    }

    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    public InetSocketAddress remoteAddress() {
        return socket.remoteAddress();
    }

    /** The local address as XNIO names it: an {@link InetSocketAddress} or a {@link org.xnio.LocalSocketAddress}. */
    public SocketAddress localSocketAddress() {
        if (domain) {
            DomainSocketAddress a = socket.localDomainSocketAddress();
            return new LocalSocketAddress(a == null ? "" : a.path());
        }
        return socket.localAddress();
    }

    public SocketAddress remoteSocketAddress() {
        if (domain) {
            DomainSocketAddress a = socket.remoteDomainSocketAddress();
            return new LocalSocketAddress(a == null ? "" : a.path());
        }
        return socket.remoteAddress();
    }

    // ---- shutdown and close

    /** Half-closes the input; a connection the peer already dropped (ENOTCONN) is not an error. */
    public void shutdownInput() throws IOException {
        try {
            socket.shutdown(true, false);
        } catch (NotYetConnectedException gone) {
            // ENOTCONN: nothing left to shut down, as java.net does
        }
    }

    /** Half-closes the output (FIN); ENOTCONN after a reset is not an error, as for java.net. */
    public void shutdownOutput() throws IOException {
        try {
            socket.shutdown(false, true);
        } catch (NotYetConnectedException gone) {
            // ENOTCONN: the peer reset the connection; nothing left to shut down
        }
    }

    public void close() throws IOException {
        socket.close();
    }

    // ---- options

    public void setTcpNoDelay(boolean on) throws IOException {
        socket.setTcpNoDelay(on);
    }

    public boolean isTcpNoDelay() throws IOException {
        return socket.isTcpNoDelay();
    }

    public void setKeepAlive(boolean on) throws IOException {
        socket.setKeepAlive(on);
    }

    public boolean isKeepAlive() throws IOException {
        return socket.isKeepAlive();
    }

    public void setSendBufferSize(int size) throws IOException {
        socket.setSendBufferSize(size);
    }

    /**
     * The size set, as the JDK (and so XNIO's NIO) reports it on Linux: half of what the kernel
     * reports, as the kernel doubles every request to make room for its bookkeeping.
     */
    public int getSendBufferSize() throws IOException {
        return socket.getSendBufferSize() / 2;
    }

    public void setReceiveBufferSize(int size) throws IOException {
        socket.setReceiveBufferSize(size);
    }

    /** Half of what the kernel reports, as for {@link #getSendBufferSize()}. */
    public int getReceiveBufferSize() throws IOException {
        return socket.getReceiveBufferSize() / 2;
    }

    public void setTrafficClass(int tc) throws IOException {
        socket.setTrafficClass(tc);
    }

    public int getTrafficClass() throws IOException {
        return socket.getTrafficClass();
    }

    public void setReuseAddress(boolean on) throws IOException {
        socket.setReuseAddress(on);
    }

    public boolean isReuseAddress() throws IOException {
        return socket.isReuseAddress();
    }

    public void setReusePort(boolean on) throws IOException {
        socket.setReusePort(on);
    }

    /** {@code SO_LINGER} of zero makes close send RST: XNIO's CLOSE_ABORT. */
    public void setAbortOnClose(boolean on) throws IOException {
        socket.setSoLinger(on ? 0 : -1);
    }

    public boolean isAbortOnClose() throws IOException {
        return socket.getSoLinger() == 0;
    }

    /** {@code SO_OOBINLINE}: urgent data stays in the stream (XNIO's TCP_OOB_INLINE). */
    public void setOobInline(boolean on) throws IOException {
        socket.setIntOpt(SOL_SOCKET, SO_OOBINLINE, on ? 1 : 0);
    }

    public boolean isOobInline() throws IOException {
        return socket.getIntOpt(SOL_SOCKET, SO_OOBINLINE) != 0;
    }

    public void setCork(boolean on) throws IOException {
        socket.setIntOpt(IPPROTO_TCP, TCP_CORK, on ? 1 : 0);
    }

    public boolean isCork() throws IOException {
        return socket.getIntOpt(IPPROTO_TCP, TCP_CORK) != 0;
    }

    public int soError() throws IOException {
        return socket.getSoError();
    }

    /** Applies the socket options of an outbound connection's XNIO option map (before connect). */
    public void applyClientOptions(OptionMap options) throws IOException {
        if (options.contains(Options.TCP_NODELAY)) {
            setTcpNoDelay(options.get(Options.TCP_NODELAY, false));
        }
        if (options.contains(Options.KEEP_ALIVE)) {
            setKeepAlive(options.get(Options.KEEP_ALIVE, false));
        }
        if (options.contains(Options.IP_TRAFFIC_CLASS)) {
            setTrafficClass(options.get(Options.IP_TRAFFIC_CLASS, 0));
        }
        if (options.contains(Options.CLOSE_ABORT)) {
            setAbortOnClose(options.get(Options.CLOSE_ABORT, false));
        }
        if (options.contains(Options.RECEIVE_BUFFER)) {
            setReceiveBufferSize(options.get(Options.RECEIVE_BUFFER, 0));
        }
        if (options.contains(Options.SEND_BUFFER)) {
            setSendBufferSize(options.get(Options.SEND_BUFFER, 0));
        }
        if (options.contains(Options.REUSE_ADDRESSES)) {
            setReuseAddress(options.get(Options.REUSE_ADDRESSES, false));
        }
    }

    /** Allocates a direct buffer in native byte order (helper for engines). */
    public static ByteBuffer allocateDirect(int capacity) {
        return Buffer.allocateDirectWithNativeOrder(capacity);
    }

    /** Releases a direct or mapped buffer now rather than at the next GC (no-op where unsupported). */
    public static void freeDirect(ByteBuffer buffer) {
        try {
            Buffer.free(buffer);
        } catch (UnsupportedOperationException | IllegalArgumentException notOurs) {
            // Java 25's cleaner frees only buffers it allocated (not mappings): the GC will.
        }
    }

    @Override
    public String toString() {
        return (domain ? "unix fd " : "fd ") + fd();
    }
}
