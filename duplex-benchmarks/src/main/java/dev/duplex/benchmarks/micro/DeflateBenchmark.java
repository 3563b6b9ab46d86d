package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.extension.PerMessageDeflate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * permessage-deflate (RFC 7692) on a server, Duplex next to Netty 4.1's codec
 * ({@code PerMessageDeflateServerExtensionHandshaker}'s encoder and decoder in an
 * {@link EmbeddedChannel}), on the same payloads: JSON-like text that compresses well and
 * random bytes that do not, at 1 KiB and 64 KiB, with and without context takeover, level 6 and
 * a 15-bit window on both. Each operation is one whole message.
 *
 * <p>Deflate cycles through eight different payloads of the kind, so that context takeover
 * helps as it would with real traffic and not as it would with one message sent over and over.
 * Inflate feeds messages each compressed on its own, which is valid with or without takeover.
 * Throughput is messages per second; bytes per second is that times {@code size}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DeflateBenchmark {
    private static final int VARIANTS = 8;

    @Param({"json", "random"})
    public String payload;

    @Param({"1024", "65536"})
    public int size;

    @Param({"true", "false"})
    public boolean contextTakeover;

    private byte[][] messages;
    private byte[][] compressed;
    private int next;

    private PerMessageDeflate duplex;
    private EmbeddedChannel nettyEncoder;
    private EmbeddedChannel nettyDecoder;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom random = new SplittableRandom(7692);
        messages = new byte[VARIANTS][];
        compressed = new byte[VARIANTS][];
        for (int i = 0; i < VARIANTS; i++) {
            messages[i] = payload.equals("json") ? json(size, random) : randomBytes(size, random);
            compressed[i] = deflateAlone(messages[i]);
        }

        DeflateParameters agreed = contextTakeover
                ? new DeflateParameters(false, false, DeflateParameters.ABSENT, DeflateParameters.ABSENT)
                : new DeflateParameters(true, true, DeflateParameters.ABSENT, DeflateParameters.ABSENT);
        duplex = PerMessageDeflate.of(Role.SERVER, agreed, PerMessageDeflate.Config.DEFAULTS.withThreshold(0));

        Map<String, String> offer = new LinkedHashMap<>();
        if (!contextTakeover) {
            offer.put("server_no_context_takeover", null);
            offer.put("client_no_context_takeover", null);
        }
        WebSocketServerExtension netty = new PerMessageDeflateServerExtensionHandshaker(6, false, 15, true, false)
                .handshakeExtension(new WebSocketExtensionData("permessage-deflate", offer));
        nettyEncoder = new EmbeddedChannel(netty.newExtensionEncoder());
        nettyDecoder = new EmbeddedChannel(netty.newExtensionDecoder());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        duplex.close();
        nettyEncoder.finishAndReleaseAll();
        nettyDecoder.finishAndReleaseAll();
    }

    @Benchmark
    public int duplexDeflate() {
        Extension.Encoded encoded = duplex.encode(ByteBuffer.wrap(nextMessage()), true);
        return encoded.payload().remaining();
    }

    @Benchmark
    public int nettyDeflate() {
        nettyEncoder.writeOutbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(nextMessage())));
        WebSocketFrame frame = nettyEncoder.readOutbound();
        int length = frame.content().readableBytes();
        frame.release();
        return length;
    }

    @Benchmark
    public void duplexInflate(Blackhole blackhole) {
        Extension.MessageDecoder decoder = duplex.decoder(PerMessageDeflate.RSV1);
        decoder.decode(ByteBuffer.wrap(nextCompressed()), true, (bytes, offset, length) -> blackhole.consume(length));
    }

    @Benchmark
    public int nettyInflate() {
        ByteBuf in = Unpooled.wrappedBuffer(nextCompressed());
        nettyDecoder.writeInbound(new BinaryWebSocketFrame(true, WebSocketExtension.RSV1, in));
        WebSocketFrame frame = nettyDecoder.readInbound();
        int length = frame.content().readableBytes();
        frame.release();
        return length;
    }

    private byte[] nextMessage() {
        next = (next + 1) % VARIANTS;
        return messages[next];
    }

    private byte[] nextCompressed() {
        next = (next + 1) % VARIANTS;
        return compressed[next];
    }

    /** Records like a chat or market feed: keys repeat, values vary. */
    static byte[] json(int size, SplittableRandom random) {
        StringBuilder sb = new StringBuilder(size + 128);
        while (sb.length() < size) {
            sb.append("{\"id\":").append(random.nextInt(1_000_000))
                    .append(",\"user\":\"user-").append(random.nextInt(500))
                    .append("\",\"price\":").append(random.nextInt(100_000) / 100.0)
                    .append(",\"side\":\"").append(random.nextBoolean() ? "buy" : "sell")
                    .append("\",\"tags\":[\"alpha\",\"beta\"]},");
        }
        sb.setLength(size);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] randomBytes(int size, SplittableRandom random) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    /** RFC 7692 7.2.1 on the JDK's zlib: one message, a fresh window, the 00 00 ff ff tail removed. */
    static byte[] deflateAlone(byte[] message) {
        Deflater deflater = new Deflater(6, true);
        try {
            deflater.setInput(message);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            int n;
            do {
                n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                out.write(buffer, 0, n);
            } while (n == buffer.length || !deflater.needsInput());
            byte[] all = out.toByteArray();
            return java.util.Arrays.copyOf(all, all.length - 4);
        } finally {
            deflater.end();
        }
    }
}
