package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.FrameDecoder;
import dev.duplex.protocol.frame.FrameEncoder;
import dev.duplex.protocol.frame.FrameHeader;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Frame headers (RFC 6455 5.2): decoding a client's masked header with every check the
 * server makes, and encoding a server's header, for each of the three length encodings;
 * plus a whole small server frame through {@code FrameEncoder.encode}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {
    /** Payload lengths that use the 7-bit, 16-bit and 64-bit length fields. */
    @Param({"32", "16384", "1048576"})
    public int payloadLength;

    private FrameDecoder decoder;
    private ByteBuffer maskedHeader;
    private ByteBuffer headerOut;
    private ByteBuffer smallPayload;

    @Setup
    public void setUp() {
        decoder = new FrameDecoder(Role.SERVER, 1 << 20, true);
        maskedHeader = ByteBuffer.allocate(FrameHeader.MAX_HEADER_LENGTH);
        FrameEncoder.writeHeader(maskedHeader, true, 0, Opcode.BINARY, payloadLength, true, 0x37fa213d);
        maskedHeader.flip();
        headerOut = ByteBuffer.allocate(FrameHeader.MAX_HEADER_LENGTH);
        smallPayload = ByteBuffer.wrap(new byte[32]);
    }

    @Benchmark
    public FrameHeader decodeHeader() {
        maskedHeader.rewind();
        return decoder.decode(maskedHeader);
    }

    @Benchmark
    public ByteBuffer encodeHeader() {
        headerOut.clear();
        FrameEncoder.writeHeader(headerOut, true, 0, Opcode.BINARY, payloadLength, false, 0);
        return headerOut;
    }

    /** A whole 32-byte server frame: header and payload in one fresh buffer. */
    @Benchmark
    public ByteBuffer[] encodeSmallFrame() {
        return FrameEncoder.encode(true, 0, Opcode.TEXT, smallPayload, null);
    }
}
