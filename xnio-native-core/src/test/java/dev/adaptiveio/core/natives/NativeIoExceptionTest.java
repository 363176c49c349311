package dev.adaptiveio.core.natives;

import java.io.IOException;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import io.netty.channel.unix.Errors;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Errors are classified by errno, whatever their message says. */
class NativeIoExceptionTest {

    @Test
    void carriesOpAndErrnoWithAReadableMessage() {
        NativeIoException e = NativeIoException.ofResult("recv", -104);
        assertEquals("recv", e.op());
        assertEquals(104, e.errno());
        assertEquals("recv failed: Connection reset by peer (errno 104)", e.getMessage());
        assertEquals("send failed: Unknown error 4095 (errno 4095)", new NativeIoException("send", 4095).getMessage());
    }

    @Test
    void peerGoneIsDecidedByErrnoNotByMessage() {
        for (int errno : new int[] {NativeIoException.ECONNRESET, NativeIoException.EPIPE, NativeIoException.ETIMEDOUT,
                NativeIoException.ECONNABORTED, NativeIoException.ENOTCONN}) {
            assertTrue(NativeSocket.isPeerGone(new NativeIoException("send", errno)), "errno " + errno);
        }
        assertFalse(NativeSocket.isPeerGone(new NativeIoException("recv", 14)), "EFAULT is ours, not the peer's");
        assertFalse(NativeSocket.isPeerGone(new IOException("Connection reset by peer")), "a message is not an errno");
        // Netty's Errors needs the native library loaded (the io_uring library carries it).
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        assertTrue(NativeSocket.isPeerGone(Errors.newIOException("write", Errors.ERRNO_EPIPE_NEGATIVE)),
                "Netty's exception for a system call made by NativeSocket");
        assertFalse(NativeSocket.isPeerGone(Errors.newIOException("write", -14)));
    }
}
