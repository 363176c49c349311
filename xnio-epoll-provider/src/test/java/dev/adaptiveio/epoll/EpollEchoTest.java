package dev.adaptiveio.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

class EpollEchoTest {

    private XnioWorker worker;

    @BeforeEach
    void start() throws Exception {
        worker = EpollWorkers.create(2);
    }

    @AfterEach
    void stop() throws Exception {
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
    }

    /** An echo listener in XNIO's non-blocking style. */
    static ChannelListener<AcceptingChannel<StreamConnection>> echoAcceptor() {
        return server -> {
            try {
                StreamConnection accepted;
                while ((accepted = server.accept()) != null) {
                    StreamConnection c = accepted;
                    assertInstanceOf(EpollIoThread.class, c.getIoThread());
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
                                    out.flush();
                                    IoUtils.safeClose(c);
                                    return;
                                }
                                if (n == 0) {
                                    out.flush();
                                    return;
                                }
                            }
                        } catch (Exception e) {
                            IoUtils.safeClose(c);
                        }
                    });
                    out.setWriteListener(ch -> {
                        try {
                            buf.flip();
                            ch.write(buf);
                            boolean all = !buf.hasRemaining();
                            buf.compact();
                            if (all && ch.flush()) {
                                ch.suspendWrites();
                                in.resumeReads();
                            }
                        } catch (Exception e) {
                            IoUtils.safeClose(c);
                        }
                    });
                    in.resumeReads();
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        };
    }

    @Test
    void echoesOverEpoll() throws Exception {
        AcceptingChannel<StreamConnection> server = worker.createStreamConnectionServer(
                new InetSocketAddress("127.0.0.1", 0), echoAcceptor(), OptionMap.EMPTY);
        server.resumeAccepts();
        InetSocketAddress addr = (InetSocketAddress) server.getLocalAddress();
        try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            DataInputStream i = new DataInputStream(s.getInputStream());
            for (int round = 0; round < 100; round++) {
                byte[] msg = ("hello " + round).getBytes(StandardCharsets.US_ASCII);
                o.write(msg);
                byte[] back = new byte[msg.length];
                i.readFully(back);
                assertEquals(new String(msg, StandardCharsets.US_ASCII), new String(back, StandardCharsets.US_ASCII));
            }
            byte[] big = new byte[4 * 1024 * 1024];
            for (int k = 0; k < big.length; k++) {
                big[k] = (byte) (k * 31);
            }
            Thread writer = new Thread(() -> {
                try {
                    o.write(big);
                    s.shutdownOutput();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            byte[] back = new byte[big.length];
            i.readFully(back);
            writer.join();
            for (int k = 0; k < big.length; k++) {
                if (back[k] != big[k]) {
                    throw new AssertionError("mismatch at " + k);
                }
            }
            assertEquals(-1, i.read(), "server closed after our EOF");
        }
        server.close();
    }
}
