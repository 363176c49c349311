package dev.adaptiveio.benchmarks.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** HTTP/1.1: one response written per request, one flush per read batch (pipelined requests share it). */
final class Http1Handler extends ChannelInboundHandlerAdapter {
    private static final CharSequence SERVER = "netty";

    private final NettyBenchServer.Endpoints endpoints;

    Http1Handler(NettyBenchServer.Endpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                respond(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String path = NettyBenchServer.pathOf(request.uri());
        ByteBuf body = endpoints.fixed(path);
        ChannelFuture last;
        if (path.equals("/count")) {
            ByteBuf count = Unpooled.copiedBuffer(Long.toString(endpoints.served.sum()), StandardCharsets.US_ASCII);
            last = ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, count,
                    headers(HttpHeaderValues.TEXT_PLAIN, count.readableBytes(), keepAlive), new DefaultHttpHeaders(false)));
        } else if (body != null) {
            endpoints.served.increment();
            HttpHeaders headers = headers(path.equals("/plaintext") ? HttpHeaderValues.TEXT_PLAIN : HttpHeaderValues.APPLICATION_OCTET_STREAM,
                    body.readableBytes(), keepAlive);
            last = ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    body.retainedDuplicate(), headers, new DefaultHttpHeaders(false)));
        } else {
            endpoints.served.increment();
            Path file = endpoints.staticFile(path);
            if (file != null) {
                File f = file.toFile();
                long length = f.length();
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        headers(HttpHeaderValues.APPLICATION_OCTET_STREAM, length, keepAlive)));
                ctx.write(new DefaultFileRegion(f, 0, length));
                last = ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                last = ctx.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                        Unpooled.EMPTY_BUFFER, headers(HttpHeaderValues.TEXT_PLAIN, 0, keepAlive), new DefaultHttpHeaders(false)));
            }
        }
        if (!keepAlive) {
            ctx.flush();
            last.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static HttpHeaders headers(CharSequence contentType, long length, boolean keepAlive) {
        HttpHeaders headers = new DefaultHttpHeaders(false)
                .add(HttpHeaderNames.CONTENT_TYPE, contentType)
                .add(HttpHeaderNames.CONTENT_LENGTH, length)
                .add(HttpHeaderNames.SERVER, SERVER)
                .add(HttpHeaderNames.DATE, NettyBenchServer.HttpDate.value);
        if (!keepAlive) {
            headers.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return headers;
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
