package dev.duplex.compliance.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Netty 4.1's WebSocket server codec, in this JVM. */
final class NettyPeer implements Peer {
    private static final int LIMIT = 16 * 1024 * 1024;
    private static final AttributeKey<String> PATH = AttributeKey.valueOf("duplex.path");
    private static final AttributeKey<Boolean> CLOSE_SENT = AttributeKey.valueOf("duplex.closeSent");

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel channel;

    NettyPeer() throws InterruptedException {
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true)
                .maxFramePayloadLength(LIMIT)
                .handleCloseFrames(false) // the endpoint answers close frames itself
                .sendCloseFrame(null)     // and /drop must drop TCP without one
                .dropPongFrames(false)
                .build();
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new WebSocketServerProtocolHandler(config), new WebSocketFrameAggregator(LIMIT),
                                new Endpoint());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    @Override
    public String name() {
        Version v = Version.identify().get("netty-codec-http");
        return "Netty " + (v == null ? "4.1" : v.artifactVersion());
    }

    @Override
    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort() + path);
    }

    @Override
    public void close() throws Exception {
        channel.close().sync();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).sync();
    }

    /** One connection, acting on the path it was opened with. */
    private static final class Endpoint extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (!(event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake)) {
                super.userEventTriggered(ctx, event);
                return;
            }
            String path = URI.create(handshake.requestUri()).getPath();
            ctx.channel().attr(PATH).set(path);
            if (path.equals("/ping")) {
                ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.copiedBuffer(PING_PAYLOAD, StandardCharsets.UTF_8)));
            } else if (path.startsWith("/close/")) {
                int code = Integer.parseInt(path.substring("/close/".length()));
                ctx.channel().attr(CLOSE_SENT).set(true);
                ctx.writeAndFlush(new CloseWebSocketFrame(code, "bye " + code));
            } else if (path.equals("/drop")) {
                ctx.close();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            String path = ctx.channel().attr(PATH).get();
            switch (frame) {
                case CloseWebSocketFrame close -> {
                    if (Boolean.TRUE.equals(ctx.channel().attr(CLOSE_SENT).get())) {
                        ctx.close(); // RFC 6455 7.1.1: the server closes TCP once the handshake is done
                    } else {
                        ctx.writeAndFlush(close.retainedDuplicate()).addListener(f -> ctx.close());
                    }
                }
                case PongWebSocketFrame pong ->
                        ctx.writeAndFlush(new TextWebSocketFrame("pong:" + pong.content().toString(StandardCharsets.UTF_8)));
                case PingWebSocketFrame ping -> ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                default -> {
                    if ("/fragment".equals(path) && frame.content().isReadable()) {
                        sendFragmented(ctx, frame);
                    } else {
                        ctx.writeAndFlush(frame.retainedDuplicate());
                    }
                }
            }
        }

        /** Three frames: TEXT or BINARY without FIN, then CONTINUATION, the last with FIN. */
        private static void sendFragmented(ChannelHandlerContext ctx, WebSocketFrame frame) {
            ByteBuf content = frame.content();
            int length = content.readableBytes();
            int step = Math.max(1, (length + 2) / 3);
            for (int at = 0; at < length; at += step) {
                ByteBuf part = content.retainedSlice(content.readerIndex() + at, Math.min(step, length - at));
                boolean fin = at + step >= length;
                WebSocketFrame out = at > 0 ? new ContinuationWebSocketFrame(fin, 0, part)
                        : frame instanceof TextWebSocketFrame ? new TextWebSocketFrame(fin, 0, part)
                        : new BinaryWebSocketFrame(fin, 0, part);
                ctx.write(out);
            }
            ctx.flush();
        }
    }
}
