package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.FrameEncoder;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
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
 * What the server core does with one message as it comes off the socket: receiveData (copy
 * in), then nextEvent (header checks, unmasking, assembly, UTF-8 for text, the event) on
 * pre-built masked frames, whole or in fragments. One operation is one message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageAssemblyBenchmark {
    @Param({"text", "binary"})
    public String type;

    @Param({"32", "16384", "1048576"})
    public int size;

    /** Frames per message: 1 is a whole message, 4 a fragmented one. */
    @Param({"1", "4"})
    public int fragments;

    private Connection connection;
    private ByteBuffer wire;

    @Setup
    public void setUp() {
        connection = new Connection(Role.SERVER, Limits.DEFAULTS.withMaxMessageSize(2 << 20), null, null);
        boolean text = type.equals("text");
        byte[] payload = new byte[size];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < size; i++) {
            payload[i] = text ? (byte) ('a' + random.nextInt(26)) : (byte) random.nextInt(256);
        }
        ByteBuffer all = ByteBuffer.allocate(size + fragments * 14);
        int per = size / fragments;
        for (int f = 0; f < fragments; f++) {
            int from = f * per;
            int to = f == fragments - 1 ? size : from + per;
            Opcode opcode = f > 0 ? Opcode.CONTINUATION : text ? Opcode.TEXT : Opcode.BINARY;
            ByteBuffer[] frame = FrameEncoder.encode(f == fragments - 1, 0, opcode,
                    ByteBuffer.wrap(payload, from, to - from), random.nextInt());
            for (ByteBuffer b : frame) {
                all.put(b);
            }
        }
        wire = all.flip();
    }

    @Benchmark
    public Event receiveOneMessage() {
        connection.receiveData(wire.duplicate());
        Event event = connection.nextEvent();
        if (!(event instanceof Event.Text) && !(event instanceof Event.Binary)) {
            throw new IllegalStateException("expected a message, got " + event);
        }
        return event;
    }
}
