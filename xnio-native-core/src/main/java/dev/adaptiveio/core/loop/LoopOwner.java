package dev.adaptiveio.core.loop;

import java.net.SocketAddress;

import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.channels.BoundChannel;

/**
 * What an I/O thread needs from the worker that owns it. The worker implements it; the loop
 * knows nothing else of the worker (the arrow points up through this interface).
 */
public interface LoopOwner {

    /** The thread has left its loop and released everything it held. */
    void ioThreadTerminated(NativeIoThread thread);

    /**
     * XNIO's {@code acceptStreamConnection} on {@code thread}: binds {@code destination} now and
     * completes with the first connection accepted there.
     */
    IoFuture<StreamConnection> acceptOne(NativeIoThread thread, SocketAddress destination,
            ChannelListener<? super StreamConnection> openListener, ChannelListener<? super BoundChannel> bindListener,
            OptionMap optionMap);
}
