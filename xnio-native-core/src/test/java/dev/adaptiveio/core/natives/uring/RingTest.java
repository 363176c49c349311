package dev.adaptiveio.core.natives.uring;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.adaptiveio.core.natives.NativeIoException;
import dev.adaptiveio.core.natives.NativeSocket;
import dev.adaptiveio.core.natives.uring.RecordingListener.Completion;
import io.netty.channel.unix.FileDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.adaptiveio.core.natives.uring.UringConstants.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native layer on a real ring, driven by a plain thread, over real loopback sockets.
 */
class RingTest {

    private RingThread loop;
    private final List<ByteBuffer> buffers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        UringViability v = IoUringSupport.viability();
        assumeTrue(v.isViable(), v::summary);
        loop = new RingThread(RingConfig.fromSystemProperties());
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.close();
            assertFalse(loop.thread().isAlive(), "ring thread did not stop");
        }
    }

    private ByteBuffer direct(int size) {
        ByteBuffer b = UringMemory.allocateDirect(size);
        buffers.add(b);
        return b;
    }

    private static String text(ByteBuffer b, int n) {
        byte[] bytes = new byte[n];
        b.get(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void recvCompletesWithThePeersBytesOnTheRingThread() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(64);
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 3));
                return handle;
            });
            pair.clientWrite("hello");
            Completion c = l.next();
            assertEquals(Op.RECV, c.kind);
            assertEquals(3, c.tag);
            assertEquals(5, c.result);
            assertEquals("hello", text(buf, 5));
            assertSame(loop.thread(), c.thread);
            assertEquals(0, (int) loop.call(h::inflightCount));
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void sendAndWritevReachThePeer() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer a = direct(16).put("pong".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer b1 = direct(16).put("gather".getBytes(StandardCharsets.US_ASCII)).flip();
            ByteBuffer b2 = direct(16).put("-write".getBytes(StandardCharsets.US_ASCII)).flip();
            IovecArray iov = new IovecArray(4);
            RingHandle h = loop.call(() -> loop.ring().register(pair.serverFd, l));
            loop.run(() -> assertTrue(h.send(UringMemory.address(a), a.remaining(), 0, 0)));
            Completion c = l.next();
            assertEquals(Op.SEND, c.kind);
            assertEquals(4, c.result);
            assertEquals("pong", pair.clientRead(4));

            iov.add(b1);
            iov.add(b2);
            assertEquals(12, iov.bytes());
            loop.run(() -> assertTrue(h.writev(iov.address(), iov.count(), 1)));
            c = l.next();
            assertEquals(Op.WRITEV, c.kind);
            assertEquals(1, c.tag);
            assertEquals(12, c.result);
            assertEquals("gather-write", pair.clientRead(12));
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
            iov.free();
        }
    }

    @Test
    void recvWithPollFirstWaitsForDataAndSockNonEmptySaysWhatWasLeft() throws Exception {
        assumeTrue(IoUringSupport.viability().features().contains(UringFeature.SOCK_NONEMPTY), "kernel < 5.19");
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(4);
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.recv(UringMemory.address(buf), 4, 0, true, 0));
                return handle;
            });
            pair.clientWrite("abcdefgh");
            Completion c = l.next();
            assertEquals(Op.RECV, c.kind);
            assertEquals(4, c.result, "a POLL_FIRST receive still receives once data is there");
            assertEquals("abcd", text(buf, 4));
            assertTrue((c.flags & IORING_CQE_F_SOCK_NONEMPTY) != 0, "4 bytes were left: flags " + c.flags);
            loop.run(() -> assertTrue(h.recv(UringMemory.address(buf), 4, 0, false, 0)));
            c = l.next();
            assertEquals("efgh", text(buf, c.result));
            assertEquals(0, c.flags & IORING_CQE_F_SOCK_NONEMPTY, "drained: flags " + c.flags);
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void pollAddReportsReadabilityOnlyWhenDataArrives() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.pollAdd(POLLIN | POLLRDHUP, false, 0));
                return handle;
            });
            assertNull(l.nextOrNull(200), "POLLIN reported before any data was sent");
            pair.clientWrite("x");
            Completion c = l.next();
            assertEquals(Op.POLL, c.kind);
            assertTrue((c.result & POLLIN) != 0, "mask " + c.result);
            // Readiness only: the byte is still in the socket.
            ByteBuffer buf = direct(8);
            loop.run(() -> assertTrue(h.recv(UringMemory.address(buf), 8, 0, 0)));
            assertEquals(1, l.next().result);
            // POLLOUT is ready at once on an idle connection.
            loop.run(() -> assertTrue(h.pollAdd(POLLOUT, false, 1)));
            c = l.next();
            assertEquals(1, c.tag);
            assertTrue((c.result & POLLOUT) != 0);
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void asyncCancelFinishesAPendingRecv() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(64);
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 0));
                return handle;
            });
            assertNull(l.nextOrNull(100));
            assertTrue(loop.call(() -> h.cancel(Op.RECV, 0)));
            Completion first = l.next();
            Completion second = l.next();
            Completion recv = first.kind == Op.RECV ? first : second;
            Completion cancel = first.kind == Op.CANCEL ? first : second;
            assertEquals(Op.RECV, recv.kind);
            assertEquals(-ECANCELED, recv.result);
            assertEquals(Op.CANCEL, cancel.kind);
            assertEquals(0, cancel.result, "ASYNC_CANCEL found its target");
            assertEquals(0, (int) loop.call(h::inflightCount));
            assertFalse(loop.call(() -> h.cancel(Op.RECV, 0)), "nothing left to cancel");
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void completionOfARetiredGenerationNeverReachesTheListener() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            long staleBefore = loop.call(() -> loop.ring().staleCompletions());
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.pollAdd(POLLIN, false, 0));
                return handle;
            });
            int oldGeneration = loop.call(h::generation);
            loop.run(h::retire);
            assertNotEquals(oldGeneration, (int) loop.call(h::generation));
            pair.clientWrite("late");
            // The old poll completes in the kernel...
            long deadline = System.currentTimeMillis() + 5_000;
            while (loop.call(h::inflightCount) > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, (int) loop.call(h::inflightCount));
            // ...and is counted as stale, not delivered.
            assertEquals(staleBefore + 1, (long) loop.call(() -> loop.ring().staleCompletions()));
            assertNull(l.nextOrNull(100), "a stale completion reached the listener");
            // The new generation works as usual.
            loop.run(() -> assertTrue(h.pollAdd(POLLIN, false, 0)));
            Completion c = l.next();
            assertEquals(Op.POLL, c.kind);
            assertTrue((c.result & POLLIN) != 0);
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void releaseWaitsForEveryOpThenClosesTheFdThroughTheRing() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(64);
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 0));
                assertTrue(handle.pollAdd(POLLOUT | POLLIN, false, 1));
                return handle;
            });
            // The POLLOUT poll completes by itself; the RECV stays in flight.
            assertEquals(Op.POLL, l.next().kind);
            loop.run(() -> h.release(true));
            assertFalse(loop.call(h::isActive));
            assertFalse(loop.call(() -> h.nop(0)), "a releasing handle accepted an op");
            assertEquals(1, (long) loop.call(h::inflightCount));
            assertFalse(l.released.await(200, java.util.concurrent.TimeUnit.MILLISECONDS),
                    "released with a RECV still in flight");
            assertEquals(1, (int) loop.call(h::cancelAll));
            assertTrue(l.awaitReleased());
            pair.serverFdClosedElsewhere();
            assertTrue(l.releasedFdClosed);
            assertEquals(0, l.releasedCloseResult);
            assertEquals(0, l.inflightAtRelease);
            Completion a = l.next();
            Completion b = l.next();
            Completion recv = a.kind == Op.RECV ? a : b;
            assertEquals(Op.RECV, recv.kind);
            assertEquals(-ECANCELED, recv.result);
            assertTrue(loop.call(h::isReleased));
            assertEquals(0, (int) loop.call(() -> loop.ring().registeredCount()));
            // The kernel closed the socket: the peer sees end of stream.
            pair.client.socket().setSoTimeout(5_000);
            assertEquals(-1, pair.client.read(ByteBuffer.allocate(1)));
        }
    }

    @Test
    void releasedFdMovesToAnotherRingAndKeepsWorking() throws Exception {
        try (TcpPair pair = TcpPair.open(); RingThread other = new RingThread(RingConfig.fromSystemProperties())) {
            RecordingListener first = new RecordingListener();
            ByteBuffer buf = direct(64);
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, first);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 0));
                return handle;
            });
            pair.clientWrite("one");
            assertEquals(3, first.next().result);
            loop.run(() -> h.release(false));
            assertTrue(first.awaitReleased());
            assertFalse(first.releasedFdClosed);

            RecordingListener second = new RecordingListener();
            RingHandle moved = other.call(() -> {
                RingHandle handle = other.ring().register(pair.serverFd, second);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 0));
                return handle;
            });
            pair.clientWrite("two!");
            Completion c = second.next();
            assertEquals(4, c.result);
            assertEquals("two!", text(buf, 4));
            assertSame(other.thread(), c.thread);
            assertNull(first.nextOrNull(50));
            other.run(() -> moved.release(false));
            assertTrue(second.awaitReleased());
        }
    }

    @Test
    void recvReportsEndOfStreamAndReset() throws Exception {
        try (TcpPair pair = TcpPair.open(); TcpPair reset = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            RecordingListener r = new RecordingListener();
            ByteBuffer buf = direct(64);
            ByteBuffer buf2 = direct(64);
            RingHandle[] hs = loop.call(() -> {
                RingHandle a = loop.ring().register(pair.serverFd, l);
                RingHandle b = loop.ring().register(reset.serverFd, r);
                assertTrue(a.recv(UringMemory.address(buf), 64, 0, 0));
                assertTrue(b.recv(UringMemory.address(buf2), 64, 0, 0));
                return new RingHandle[] {a, b};
            });
            pair.client.shutdownOutput();
            assertEquals(0, l.next().result, "orderly shutdown is a zero-length receive");
            reset.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            reset.client.close();
            assertEquals(-NativeIoException.ECONNRESET, r.next().result);
            loop.run(() -> {
                hs[0].release(false);
                hs[1].release(false);
            });
            assertTrue(l.awaitReleased());
            assertTrue(r.awaitReleased());
        }
    }

    @Test
    void multishotAcceptDeliversEveryConnection() throws Exception {
        assumeTrue(IoUringSupport.viability().features().contains(UringFeature.ACCEPT_MULTISHOT));
        NativeSocket listener = TcpPair.listen();
        RecordingListener l = new RecordingListener();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(listener.fd(), l);
                assertTrue(handle.accept(true, 0));
                return handle;
            });
            List<Integer> fds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(SocketChannel.open(listener.localAddress()));
                Completion c = l.next();
                assertEquals(Op.ACCEPT, c.kind);
                assertTrue(c.result > 0, "accepted fd " + c.result);
                assertTrue(hasMore(c.flags), "multishot accept stopped after " + (i + 1));
                fds.add(c.result);
            }
            assertEquals(3, fds.stream().distinct().count());
            assertEquals(1, (int) loop.call(h::inflightCount), "one submission served three connections");
            loop.run(h::cancelAll);
            Completion last;
            do {
                last = l.next();
            } while (last.kind != Op.ACCEPT);
            assertEquals(-ECANCELED, last.result);
            assertFalse(hasMore(last.flags));
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
            for (int fd : fds) {
                NativeSocket.wrap(fd).close();
            }
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            listener.close();
        }
    }

    @Test
    void spliceMovesBytesBetweenAPipeAndTheSocketBothWays() throws Exception {
        assumeTrue(IoUringSupport.viability().features().contains(UringFeature.SPLICE));
        FileDescriptor[] pipe = FileDescriptor.pipe();
        try (TcpPair pair = TcpPair.open()) {
            ByteBuffer src = direct(64).put("spliced-out".getBytes(StandardCharsets.US_ASCII)).flip();
            assertEquals(11, pipe[1].write(src, 0, 11));
            RecordingListener l = new RecordingListener();
            RingHandle h = loop.call(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, l);
                assertTrue(handle.splice(pipe[0].intValue(), -1L, pair.serverFd, -1L, 11, SPLICE_F_MOVE, 0));
                return handle;
            });
            Completion out = l.next();
            assertEquals(Op.SPLICE, out.kind);
            assertEquals(11, out.result);
            assertEquals("spliced-out", pair.clientRead(11));

            pair.clientWrite("in!");
            loop.run(() -> assertTrue(h.splice(pair.serverFd, -1L, pipe[1].intValue(), -1L, 64, SPLICE_F_MOVE, 1)));
            Completion in = l.next();
            assertEquals(1, in.tag);
            assertEquals(3, in.result);
            ByteBuffer dst = direct(64);
            assertEquals(3, pipe[0].read(dst, 0, 64));
            assertEquals("in!", text(dst, 3));
            loop.run(() -> h.release(false));
            assertTrue(l.awaitReleased());
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }

    @Test
    void misuseIsRejected() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(64);
            RingHandle h = loop.call(() -> loop.ring().register(pair.serverFd, l));
            assertThrows(IllegalStateException.class, () -> h.recv(UringMemory.address(buf), 64, 0, 0),
                    "submitting off the ring thread");
            assertThrows(IllegalStateException.class, () -> loop.ring().register(pair.serverFd, l));
            loop.run(() -> {
                assertTrue(h.recv(UringMemory.address(buf), 64, 0, 0));
                assertThrows(IllegalStateException.class, () -> h.recv(UringMemory.address(buf), 64, 0, 0),
                        "the same kind and tag twice in flight");
                assertThrows(IllegalArgumentException.class, () -> h.nop(Op.MAX_TAG + 1));
                h.cancelAll();
                h.release(false);
            });
            assertTrue(l.awaitReleased());
        }
    }

    @Test
    void ringShutdownCancelsAndReleasesWhatIsStillRegistered() throws Exception {
        try (TcpPair pair = TcpPair.open()) {
            RecordingListener l = new RecordingListener();
            ByteBuffer buf = direct(64);
            boolean[] toldClosing = {false};
            CompletionListener listener = new CompletionListener() {
                @Override
                public void onCompletion(RingHandle handle, int kind, int tag, int result, int flags) {
                    l.onCompletion(handle, kind, tag, result, flags);
                }

                @Override
                public void onReleased(RingHandle handle, boolean fdClosed, int closeResult) {
                    l.onReleased(handle, fdClosed, closeResult);
                }

                @Override
                public void onRingClosing(RingHandle handle) {
                    toldClosing[0] = true;
                }
            };
            loop.run(() -> {
                RingHandle handle = loop.ring().register(pair.serverFd, listener);
                assertTrue(handle.recv(UringMemory.address(buf), 64, 0, 0));
            });
            loop.close();
            assertTrue(toldClosing[0]);
            assertTrue(l.awaitReleased(), "handle not released at ring shutdown");
            assertFalse(l.releasedFdClosed);
            assertEquals(0, l.inflightAtRelease);
            // The fd is still ours and still connected.
            pair.clientWrite("still-open");
            ByteBuffer dst = ByteBuffer.allocateDirect(32);
            NativeSocket server = NativeSocket.wrap(pair.serverFd);
            long deadline = System.currentTimeMillis() + 5_000;
            int n = 0;
            while (n == 0 && System.currentTimeMillis() < deadline) {
                n = server.read(dst);
                Thread.sleep(n == 0 ? 5 : 0);
            }
            assertEquals(10, n);
            loop = null;
        }
    }

    @Test
    void nopRoundTrip() throws Exception {
        RecordingListener l = new RecordingListener();
        RingHandle h = loop.call(() -> {
            RingHandle handle = loop.ring().register(-1, l);
            assertTrue(handle.nop(7));
            return handle;
        });
        Completion c = l.next();
        assertEquals(Op.NOP, c.kind);
        assertEquals(7, c.tag);
        assertEquals(0, c.result);
        long submitted = loop.call(() -> loop.ring().submissions());
        assertTrue(submitted >= 1);
        assertEquals(0L, (long) loop.call(() -> loop.ring().unknownCompletions()));
        loop.run(() -> h.release(false));
        assertTrue(l.awaitReleased());
    }

    static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // test cleanup
        }
    }
}
