package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.frame.Masking;
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
 * Masking (RFC 6455 5.3) against its floor and its ceiling: a byte-at-a-time XOR loop, and a
 * plain memory copy of the same size, which no in-place pass over the bytes can beat by
 * much. Bytes per second is operations per second times {@code size}; run-micro.sh prints it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MaskingBenchmark {
    @Param({"64", "1024", "65536"})
    public int size;

    private byte[] bytes;
    private byte[] copy;
    private int key;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        copy = new byte[size];
        key = random.nextInt();
    }

    /** Duplex's masking, in place; XORing twice restores the input, so state stays bounded. */
    @Benchmark
    public byte[] duplexMasking() {
        Masking.apply(key, 0, bytes, 0, size);
        return bytes;
    }

    /** The textbook loop: one byte, one key byte at a time. */
    @Benchmark
    public byte[] byteAtATime() {
        byte[] b = bytes;
        int k = key;
        for (int i = 0; i < b.length; i++) {
            b[i] ^= (byte) (k >>> (24 - 8 * (i & 3)));
        }
        return b;
    }

    /** The ceiling: moving the same bytes without looking at them. */
    @Benchmark
    public byte[] memoryCopy() {
        System.arraycopy(bytes, 0, copy, 0, size);
        return copy;
    }
}
