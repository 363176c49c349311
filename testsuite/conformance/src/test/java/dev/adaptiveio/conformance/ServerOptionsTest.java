package dev.adaptiveio.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adaptiveio.conformance.support.EachProvider;
import dev.adaptiveio.conformance.support.Fds;
import dev.adaptiveio.conformance.support.Server;
import dev.adaptiveio.conformance.support.TestWorker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.Option;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

/**
 * A TCP server's options compared, option by option, with a stock NIO server built in the same
 * test from the same option map: supportsOption, getOption after creation, which option maps
 * createStreamConnectionServer refuses (and with what), setOption's return value and read-back,
 * and illegal setOption values. Buffer sizes compare exactly: both sockets live on the same kernel.
 */
class ServerOptionsTest {

    /** What NIO's server supports; {@link Options#BACKLOG} is ours in addition (see below). */
    private static final List<Option<?>> OPTIONS = List.of(Options.REUSE_ADDRESSES, Options.RECEIVE_BUFFER,
            Options.SEND_BUFFER, Options.KEEP_ALIVE, Options.TCP_OOB_INLINE, Options.TCP_NODELAY, Options.READ_TIMEOUT,
            Options.WRITE_TIMEOUT, Options.CONNECTION_HIGH_WATER, Options.CONNECTION_LOW_WATER, Options.BROADCAST,
            Options.IP_TRAFFIC_CLASS, Options.CLOSE_ABORT, Options.MULTICAST_TTL);

    private static final List<OptionMap> CONFIGURATIONS = List.of(
            OptionMap.EMPTY,
            OptionMap.builder().set(Options.SEND_BUFFER, 3000).set(Options.RECEIVE_BUFFER, 8192).set(Options.KEEP_ALIVE, true)
                    .set(Options.TCP_OOB_INLINE, true).set(Options.TCP_NODELAY, true).set(Options.READ_TIMEOUT, 1000)
                    .set(Options.WRITE_TIMEOUT, 2000).set(Options.CONNECTION_HIGH_WATER, 100).set(Options.CONNECTION_LOW_WATER, 50)
                    .set(Options.REUSE_ADDRESSES, false).getMap(),
            OptionMap.create(Options.CONNECTION_HIGH_WATER, 10),
            OptionMap.create(Options.CONNECTION_LOW_WATER, 10),
            OptionMap.create(Options.CONNECTION_HIGH_WATER, 7, Options.CONNECTION_LOW_WATER, 7));

    private static final List<OptionMap> ILLEGAL = List.of(
            OptionMap.create(Options.SEND_BUFFER, 0),
            OptionMap.create(Options.SEND_BUFFER, -5),
            OptionMap.create(Options.RECEIVE_BUFFER, 0),
            OptionMap.create(Options.RECEIVE_BUFFER, -1),
            OptionMap.create(Options.CONNECTION_HIGH_WATER, -1),
            OptionMap.create(Options.CONNECTION_HIGH_WATER, 0),
            OptionMap.create(Options.CONNECTION_LOW_WATER, 0),
            OptionMap.create(Options.CONNECTION_LOW_WATER, -3),
            OptionMap.create(Options.CONNECTION_HIGH_WATER, 5, Options.CONNECTION_LOW_WATER, 10));

    @EachProvider
    void createdServerReportsWhatNioReports(String provider) throws Exception {
        try (TestWorker nio = TestWorker.start("nio"); TestWorker w = TestWorker.start(provider)) {
            for (OptionMap config : CONFIGURATIONS) {
                AcceptingChannel<StreamConnection> expected = server(nio, config);
                AcceptingChannel<StreamConnection> actual = server(w, config);
                try {
                    for (Option<?> o : OPTIONS) {
                        String what = o.getName() + " of a server created with " + config;
                        assertEquals(expected.supportsOption(o), actual.supportsOption(o), "supportsOption(" + what + ")");
                        assertEquals(expected.getOption(o), actual.getOption(o), "getOption(" + what + ")");
                    }
                    if (actual.supportsOption(Options.BACKLOG)) {
                        assertNotNull(actual.getOption(Options.BACKLOG), "BACKLOG is advertised, so getOption returns it");
                    }
                } finally {
                    IoUtils.safeClose(expected);
                    IoUtils.safeClose(actual);
                }
            }
        }
    }

    @EachProvider
    void illegalOptionMapsAreRefusedAsNioRefusesThem(String provider) throws Exception {
        try (TestWorker nio = TestWorker.start("nio"); TestWorker w = TestWorker.start(provider)) {
            IoUtils.safeClose(server(w, OptionMap.EMPTY)); // lazily created parts exist before the baseline
            Map<Integer, String> baseline = Fds.stableSnapshot();
            for (OptionMap config : ILLEGAL) {
                Class<?> nioOutcome = outcome(nio, config);
                assertEquals(IllegalArgumentException.class, nioOutcome, "NIO's answer to " + config + " (the test's premise)");
                assertEquals(nioOutcome, outcome(w, config), "createStreamConnectionServer with " + config);
            }
            ConnectCancelTest.awaitNoNewFds(baseline, "refused servers");
        }
    }

    /** Each step runs on both servers; return values and read-backs must agree after every step. */
    @EachProvider
    void setOptionAnswersAsNio(String provider) throws Exception {
        List<Object[]> steps = List.of(
                new Object[] {Options.SEND_BUFFER, 3000},
                new Object[] {Options.SEND_BUFFER, 0},
                new Object[] {Options.SEND_BUFFER, 70000},
                new Object[] {Options.RECEIVE_BUFFER, 0},
                new Object[] {Options.RECEIVE_BUFFER, 4096},
                new Object[] {Options.TCP_OOB_INLINE, true},
                new Object[] {Options.TCP_OOB_INLINE, false},
                new Object[] {Options.KEEP_ALIVE, true},
                new Object[] {Options.TCP_NODELAY, true},
                new Object[] {Options.READ_TIMEOUT, 250},
                new Object[] {Options.WRITE_TIMEOUT, 350},
                new Object[] {Options.CONNECTION_HIGH_WATER, 20},
                new Object[] {Options.CONNECTION_LOW_WATER, 30},
                new Object[] {Options.CONNECTION_HIGH_WATER, 5},
                new Object[] {Options.CONNECTION_LOW_WATER, 2},
                new Object[] {Options.BROADCAST, true});
        try (TestWorker nio = TestWorker.start("nio"); TestWorker w = TestWorker.start(provider)) {
            AcceptingChannel<StreamConnection> expected = server(nio, OptionMap.EMPTY);
            AcceptingChannel<StreamConnection> actual = server(w, OptionMap.EMPTY);
            try {
                for (Object[] step : steps) {
                    @SuppressWarnings("unchecked")
                    Option<Object> o = (Option<Object>) step[0];
                    String what = "setOption(" + o.getName() + ", " + step[1] + ")";
                    assertEquals(set(expected, o, step[1]), set(actual, o, step[1]), what);
                    for (Option<?> read : OPTIONS) {
                        assertEquals(expected.getOption(read), actual.getOption(read), "getOption(" + read.getName() + ") after " + what);
                    }
                }
            } finally {
                IoUtils.safeClose(expected);
                IoUtils.safeClose(actual);
            }
        }
    }

    /** SEND_BUFFER reads back as set (3000), and accepted connections get it. */
    @EachProvider
    void sendBufferReadsBackAsSetAndReachesAcceptedConnections(String provider) throws Exception {
        try (TestWorker w = TestWorker.start(provider)) {
            List<StreamConnection> accepted = new ArrayList<>();
            CompletableFuture<StreamConnection> first = new CompletableFuture<>();
            AcceptingChannel<StreamConnection> s = w.worker.createStreamConnectionServer(new InetSocketAddress(Server.LOOPBACK, 0), ch -> {
                try {
                    StreamConnection c = ch.accept();
                    if (c != null) {
                        accepted.add(c);
                        first.complete(c);
                    }
                } catch (IOException e) {
                    first.completeExceptionally(e);
                }
            }, OptionMap.create(Options.SEND_BUFFER, 3000));
            try (Socket client = new Socket()) {
                assertEquals(3000, s.getOption(Options.SEND_BUFFER));
                s.resumeAccepts();
                client.connect(s.getLocalAddress(InetSocketAddress.class), 5_000);
                StreamConnection c = first.get(10, TimeUnit.SECONDS);
                // As the JDK reports it: the size asked for (the kernel holds twice that).
                assertEquals(3000, c.getOption(Options.SEND_BUFFER), "accepted connection's SEND_BUFFER");
            } finally {
                accepted.forEach(IoUtils::safeClose);
                IoUtils.safeClose(s);
            }
        }
    }

    private static Object set(AcceptingChannel<StreamConnection> s, Option<Object> o, Object value) throws IOException {
        try {
            return s.setOption(o, value);
        } catch (IllegalArgumentException e) {
            return IllegalArgumentException.class;
        }
    }

    private static AcceptingChannel<StreamConnection> server(TestWorker w, OptionMap config) throws IOException {
        return w.worker.createStreamConnectionServer(new InetSocketAddress(Server.LOOPBACK, 0), ch -> { }, config);
    }

    /** The class of what createStreamConnectionServer threw, or {@code null} when it made a server (closed again). */
    private static Class<?> outcome(TestWorker w, OptionMap config) {
        try {
            IoUtils.safeClose(server(w, config));
            return null;
        } catch (Exception e) {
            return e.getClass();
        } catch (Throwable t) {
            fail("createStreamConnectionServer with " + config + " on " + w.provider + " threw " + t, t);
            return null;
        }
    }
}
