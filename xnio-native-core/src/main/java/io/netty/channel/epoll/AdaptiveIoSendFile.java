package io.netty.channel.epoll;

import java.io.IOException;
import java.nio.channels.FileChannel;

import io.netty.channel.DefaultFileRegion;

/**
 * adaptive-io's door to epoll's {@code sendfile(2)}, which Netty keeps package-private
 * ({@code LinuxSocket.sendFile}): this class lives in Netty's package (relocated with it by the
 * shade plugin) for that reason alone. Only {@code dev.adaptiveio.core.natives.NativeSocket}
 * uses it.
 * <p>
 * One instance per socket: building a {@link LinuxSocket} asks the kernel for the socket's
 * family, which a file transfer should not pay on every call.
 */
public final class AdaptiveIoSendFile {

    private final LinuxSocket socket;

    public AdaptiveIoSendFile(int fd) {
        this.socket = new LinuxSocket(fd);
    }

    /**
     * Sends up to {@code count} bytes of {@code file} from {@code position}, without moving the
     * file's own position. The native code reads the fd out of {@code sun.nio.ch.FileChannelImpl}:
     * the caller must pass only channels of that class.
     *
     * @return bytes sent; {@code 0} when the socket is full (EAGAIN) or the file ends at {@code position}
     */
    public long send(FileChannel file, long position, long count) throws IOException {
        // The region only carries the channel to the native code; it is never released, as that
        // would close the caller's channel.
        return socket.sendFile(new DefaultFileRegion(file, position, count), position, 0, count);
    }
}
