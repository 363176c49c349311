package dev.adaptiveio.benchmarks.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;

/** h2c over Netty's frame codec: fixed bodies only; responses flushed once per read batch. */
final class Http2Handler extends ChannelInboundHandlerAdapter {
    private final NettyBenchServer.Endpoints endpoints;

    Http2Handler(NettyBenchServer.Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2HeadersFrame headersFrame && headersFrame.isEndStream()) {
                respond(ctx, headersFrame.stream(), String.valueOf(headersFrame.headers().path()));
            } else if (msg instanceof Http2DataFrame dataFrame && dataFrame.isEndStream()) {
                respond(ctx, dataFrame.stream(), "/plaintext");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void respond(ChannelHandlerContext ctx, Http2FrameStream stream, String path) {
        endpoints.served.increment();
        ByteBuf body = endpoints.fixed(NettyBenchServer.pathOf(path));
        Http2Headers headers = new DefaultHttp2Headers()
                .status(body == null ? "404" : "200")
                .set("content-type", "/plaintext".equals(path) ? "text/plain" : "application/octet-stream")
                .setInt("content-length", body == null ? 0 : body.readableBytes())
                .set("server", "netty")
                .set("date", NettyBenchServer.HttpDate.value);
        ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream));
        ctx.write(new DefaultHttp2DataFrame(body == null ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate(), true).stream(stream));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
