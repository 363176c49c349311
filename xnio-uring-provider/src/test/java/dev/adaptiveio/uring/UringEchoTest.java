package dev.adaptiveio.uring;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import dev.adaptiveio.core.natives.uring.IoUringSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The io_uring provider end to end over loopback TCP. */
class UringEchoTest {

    private XnioWorker worker;
    private final AtomicReference<Throwable> serverFailure = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(IoUringSupport.viability().isViable(), IoUringSupport.viability()::summary);
        Xnio xnio = Xnio.getInstance("io_uring", UringEchoTest.class.getClassLoader());
        assertEquals("io_uring", xnio.getName());
        worker = xnio.createWorker(OptionMap.create(Options.WORKER_IO_THREADS, 2));
        assertTrue(worker.getIoThread(0) instanceof UringIoThread);
    }

    @AfterEach
    void stop() throws Exception {
        if (worker == null) {
            return;
        }
        worker.shutdown();
        boolean done = worker.awaitTermination(10, TimeUnit.SECONDS);
        if (!done) {
            Thread.getAllStackTraces().forEach((t, st) -> {
                System.err.println(t);
                for (StackTraceElement e : st) {
                    System.err.println("    " + e);
                }
            });
        }
        assertTrue(done, "worker terminates");
        assertNull(serverFailure.get());
    }

    /** An echo listener in XNIO's non-blocking style. */
    private ChannelListener<AcceptingChannel<StreamConnection>> echoAcceptor() {
        return server -> {
            try {
                StreamConnection accepted;
                while ((accepted = server.accept()) != null) {
                    StreamConnection c = accepted;
                    assertInstanceOf(UringIoThread.class, c.getIoThread());
                    ConduitStreamSourceChannel in = c.getSourceChannel();
                    ConduitStreamSinkChannel out = c.getSinkChannel();
                    ByteBuffer buf = ByteBuffer.allocateDirect(8192);
                    in.setReadListener(ch -> {
                        try {
                            for (;;) {
                                if (buf.position() > 0) {
                                    buf.flip();
                                    out.write(buf);
                                    boolean all = !buf.hasRemaining();
                                    buf.compact();
                                    if (!all) {
                                        ch.suspendReads();
                                        out.resumeWrites();
                                        return;
                                    }
                                }
                                int n = ch.read(buf);
                                if (n == -1) {
                                    out.shutdownWrites();
                                    if (out.flush()) {
                                        IoUtils.safeClose(c);
                                    } else {
                                        out.getWriteSetter().set(org.xnio.ChannelListeners.flushingChannelListener(
                                                w -> IoUtils.safeClose(c), (w, e) -> IoUtils.safeClose(c)));
                                        out.resumeWrites();
                                    }
                                    ch.suspendReads();
                                    return;
                                }
                                if (n == 0) {
                                    out.flush();
                                    return;
                                }
                            }
                        } catch (Throwable t) {
                            serverFailure.compareAndSet(null, t);
                            IoUtils.safeClose(c);
                        }
                    });
                    out.setWriteListener(ch -> {
                        try {
                            buf.flip();
                            ch.write(buf);
                            boolean all = !buf.hasRemaining();
                            buf.compact();
                            if (all) {
                                ch.suspendWrites();
                                in.resumeReads();
                            }
                        } catch (Throwable t) {
                            serverFailure.compareAndSet(null, t);
                            IoUtils.safeClose(c);
                        }
                    });
                    in.resumeReads();
                }
            } catch (Throwable t) {
                serverFailure.compareAndSet(null, t);
            }
        };
    }

    private AcceptingChannel<StreamConnection> echoServer() throws Exception {
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress("127.0.0.1", 0), echoAcceptor(), OptionMap.create(Options.TCP_NODELAY, true));
        server.resumeAccepts();
        return server;
    }

    @Test
    void echoesSmallMessagesOnManyConnections() throws Exception {
        AcceptingChannel<StreamConnection> server = echoServer();
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        for (int c = 0; c < 20; c++) {
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                OutputStream o = s.getOutputStream();
                DataInputStream i = new DataInputStream(s.getInputStream());
                for (int m = 0; m < 50; m++) {
                    byte[] msg = ("msg-" + c + "-" + m).getBytes(StandardCharsets.US_ASCII);
                    o.write(msg);
                    byte[] back = new byte[msg.length];
                    i.readFully(back);
                    assertArrayEquals(msg, back);
                }
                s.shutdownOutput();
                assertEquals(-1, i.read(), "server closes after EOF");
            }
        }
        server.close();
    }

    @Test
    void echoesTenMegabytesWithBackPressure() throws Exception {
        AcceptingChannel<StreamConnection> server = echoServer();
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        int total = 10 << 20;
        byte[] data = new byte[total];
        new Random(42).nextBytes(data);
        CRC32 sent = new CRC32();
        sent.update(data);
        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream o = s.getOutputStream();
                    for (int off = 0; off < total; off += 65536) {
                        o.write(data, off, Math.min(65536, total - off));
                    }
                    s.shutdownOutput();
                } catch (Exception e) {
                    serverFailure.compareAndSet(null, e);
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            CRC32 got = new CRC32();
            byte[] buf = new byte[65536];
            long n = 0;
            int r;
            while ((r = in.read(buf)) > 0) {
                got.update(buf, 0, r);
                n += r;
            }
            writer.join(30_000);
            assertEquals(total, n);
            assertEquals(sent.getValue(), got.getValue());
        }
        server.close();
    }

    @Test
    void outboundConnectReachesAServer() throws Exception {
        AcceptingChannel<StreamConnection> server = echoServer();
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        StreamConnection c = worker.openStreamConnection(addr, null, OptionMap.EMPTY).get();
        try {
            assertInstanceOf(UringIoThread.class, c.getIoThread());
            ByteBuffer msg = ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII));
            org.xnio.channels.Channels.writeBlocking(c.getSinkChannel(), msg);
            org.xnio.channels.Channels.flushBlocking(c.getSinkChannel());
            ByteBuffer back = ByteBuffer.allocate(4);
            while (back.hasRemaining()) {
                assertTrue(org.xnio.channels.Channels.readBlocking(c.getSourceChannel(), back, 10, TimeUnit.SECONDS) >= 0);
            }
            assertEquals("ping", new String(back.array(), StandardCharsets.US_ASCII));
        } finally {
            c.close();
        }
        server.close();
    }
}
