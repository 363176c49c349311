package dev.adaptiveio.benchmarks.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Netty peer: plain Netty 4.2 HTTP on its own epoll or io_uring transport, written the way
 * Netty servers usually are (responses written per request, flushed once per read batch).
 *
 * <p>Usage: {@code NettyBenchServer <port> --transport epoll|io_uring [--static-dir DIR] [--io-threads N]}.
 * Binds 127.0.0.1. Same endpoints as the Undertow server: {@code /plaintext}, {@code /16k},
 * {@code /1m}, {@code /static/*} (zero-copy file region) and h2c with prior knowledge.
 */
public final class NettyBenchServer {

    private NettyBenchServer() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable failure) {
            // A failed start must end the process: the I/O threads would otherwise keep the JVM alive.
            System.err.println("START-FAILED " + failure);
            failure.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: NettyBenchServer <port> --transport epoll|io_uring [--static-dir DIR] [--io-threads N]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String transport = "epoll";
        Path staticDir = null;
        int ioThreads = 1;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--transport" -> transport = args[++i];
                case "--static-dir" -> staticDir = Paths.get(args[++i]).toAbsolutePath().normalize();
                case "--io-threads" -> ioThreads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }

        IoHandlerFactory ioHandlerFactory;
        Class<? extends ServerChannel> channelType;
        switch (transport) {
            case "epoll" -> {
                Epoll.ensureAvailability();
                ioHandlerFactory = EpollIoHandler.newFactory();
                channelType = EpollServerSocketChannel.class;
            }
            case "io_uring" -> {
                IoUring.ensureAvailability();
                ioHandlerFactory = IoUringIoHandler.newFactory();
                channelType = IoUringServerSocketChannel.class;
            }
            default -> throw new IllegalArgumentException("transport must be epoll or io_uring: " + transport);
        }

        // One group accepts and serves, as Undertow's single I/O thread does.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(ioThreads, ioHandlerFactory);
        group.scheduleAtFixedRate(HttpDate::refresh, 0, 1, TimeUnit.SECONDS);
        Endpoints endpoints = new Endpoints(staticDir);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ProtocolDetector(endpoints));
                    }
                });
        Channel server = bootstrap.bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        System.out.println("transport=" + transport + " ioThreads=" + ioThreads
                + " channel=" + server.getClass().getName());
        System.out.println("READY port=" + port);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly(),
                "bench-shutdown"));
        server.closeFuture().sync();
    }

    /** Fixed response bodies shared by the HTTP/1 and HTTP/2 handlers. */
    static final class Endpoints {
        final ByteBuf plaintext = body("Hello, World!".getBytes(StandardCharsets.US_ASCII));
        final ByteBuf body16k = body(filled(16 * 1024));
        final ByteBuf body1m = body(filled(1024 * 1024));
        final Path staticDir;
        /** Requests served by every endpoint except {@code /count}; read by the driver. */
        final LongAdder served = new LongAdder();

        Endpoints(Path staticDir) {
            this.staticDir = staticDir;
        }

        /** The fixed body for a path, or null. */
        ByteBuf fixed(String path) {
            return switch (path) {
                case "/plaintext" -> plaintext;
                case "/16k" -> body16k;
                case "/1m" -> body1m;
                default -> null;
            };
        }

        /** The file under the static directory for {@code /static/name}, or null. */
        Path staticFile(String path) {
            if (staticDir == null || !path.startsWith("/static/")) {
                return null;
            }
            Path file = staticDir.resolve(path.substring("/static/".length())).normalize();
            return file.startsWith(staticDir) && file.toFile().isFile() ? file : null;
        }

        private static ByteBuf body(byte[] bytes) {
            return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
        }

        private static byte[] filled(int size) {
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                bytes[i] = (byte) ('a' + i % 26);
            }
            return bytes;
        }
    }

    /** Caches the Date header value; refreshed once a second on the event loop. */
    static final class HttpDate {
        static volatile String value = io.netty.handler.codec.DateFormatter.format(new java.util.Date());

        static void refresh() {
            value = io.netty.handler.codec.DateFormatter.format(new java.util.Date());
        }
    }

    static String pathOf(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
