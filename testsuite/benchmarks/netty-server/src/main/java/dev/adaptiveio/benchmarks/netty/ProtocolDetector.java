package dev.adaptiveio.benchmarks.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import java.util.List;

/**
 * Looks at the first bytes of a connection once: the HTTP/2 connection preface selects h2c
 * (prior knowledge, as h2load sends it), anything else HTTP/1.1. Then it leaves the pipeline, so
 * HTTP/1 requests pay nothing for h2c support.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final NettyBenchServer.Endpoints endpoints;

    ProtocolDetector(NettyBenchServer.Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int prefaceLength = PREFACE.readableBytes();
        int seen = Math.min(in.readableBytes(), prefaceLength);
        boolean prefixMatches = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), seen);
        if (prefixMatches && seen < prefaceLength) {
            return; // could still be the preface: wait for more bytes
        }
        ChannelPipeline pipeline = ctx.pipeline();
        if (prefixMatches) {
            pipeline.addAfter(ctx.name(), "h2-handler", new Http2Handler(endpoints));
            pipeline.addAfter(ctx.name(), "h2-codec", Http2FrameCodecBuilder.forServer().build());
        } else {
            pipeline.addAfter(ctx.name(), "h1-handler", new Http1Handler(endpoints));
            pipeline.addAfter(ctx.name(), "h1-codec", new HttpServerCodec());
        }
        pipeline.remove(this); // hands the buffered bytes to the codec just installed
    }
}
