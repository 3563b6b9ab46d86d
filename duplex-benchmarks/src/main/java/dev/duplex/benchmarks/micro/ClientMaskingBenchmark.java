package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.frame.FrameEncoder;
import dev.duplex.protocol.frame.Masking;
import dev.duplex.protocol.frame.MaskingKeys;
import dev.duplex.protocol.frame.Opcode;
import dev.duplex.protocol.frame.OutboundMasker;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
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
 * What masking costs a client (RFC 6455 5.3, row B8), Duplex next to the JDK's own
 * {@code java.net.http.WebSocket} client, at three levels:
 *
 * <ul>
 *   <li>{@code *Mask}: the XOR loop alone, in place, one fixed key. Duplex's
 *       {@link Masking#apply}; the JDK's {@code jdk.internal.net.http.websocket.Frame.Masker}
 *       ({@code setMask}, then {@code applyMask} on heap buffers, as its client uses it).
 *   <li>{@code *Key}: drawing one frame's key. Duplex's {@link MaskingKeys} (an AES-based
 *       permutation of a counter, 256 keys per refill); the JDK's {@code MessageEncoder}, which
 *       calls {@code nextInt()} on its own {@code new SecureRandom()} for every frame.
 *   <li>{@code *Frame}: one whole binary message as each client frames it: key, header, copy
 *       and mask. Duplex ({@code duplexFrame}, its client since issue 16):
 *       {@link MaskingKeys#next}, {@link FrameEncoder#encodeMaskedOnWrite} (the header with the
 *       key; the payload by reference) and an {@link OutboundMasker} masking header and payload
 *       into a 16 KiB buffer, reused, each time it fills, as the client's socket output does
 *       ({@code MaskingOutputStream}). {@code duplexFrameArray} is the way before: a fresh
 *       array holding header and masked payload ({@link FrameEncoder#encode}). The JDK:
 *       {@code MessageEncoder.encodeBinary}
 *       into a 16 KiB heap buffer, emptied each time it fills, which is what its
 *       {@code TransportImpl} does between socket writes (16 KiB is its default
 *       {@code jdk.httpclient.websocket.writeBufferSize}); the socket write is left out.
 * </ul>
 *
 * <p>The JDK's classes are internal to module {@code java.net.http}, so the fork opens their
 * package and they are called through method handles, which C2 inlines as constants.
 * Throughput is operations per second; nanoseconds per MiB is {@code 2^20 / size / ops * 1e9}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.net.http/jdk.internal.net.http.websocket=ALL-UNNAMED"})
public class ClientMaskingBenchmark {
    private static final MethodHandle NEW_MASKER;
    private static final MethodHandle SET_MASK;
    private static final MethodHandle APPLY_MASK;
    private static final MethodHandle NEW_ENCODER;
    private static final MethodHandle ENCODE_BINARY;
    private static final MethodHandle RESET;

    static {
        try {
            String pkg = "jdk.internal.net.http.websocket.";
            Class<?> masker = Class.forName(pkg + "Frame$Masker");
            Class<?> encoder = Class.forName(pkg + "MessageEncoder");
            MethodHandles.Lookup inMasker = MethodHandles.privateLookupIn(masker, MethodHandles.lookup());
            MethodHandles.Lookup inEncoder = MethodHandles.privateLookupIn(encoder, MethodHandles.lookup());
            // Erased to Object so that invokeExact can name the types from outside the module.
            NEW_MASKER = inMasker.findConstructor(masker, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            SET_MASK = inMasker.findVirtual(masker, "setMask", MethodType.methodType(masker, int.class))
                    .asType(MethodType.methodType(Object.class, Object.class, int.class));
            APPLY_MASK = inMasker.findVirtual(masker, "applyMask",
                            MethodType.methodType(void.class, ByteBuffer.class, ByteBuffer.class))
                    .asType(MethodType.methodType(void.class, Object.class, ByteBuffer.class, ByteBuffer.class));
            NEW_ENCODER = inEncoder.findConstructor(encoder, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            ENCODE_BINARY = inEncoder.findVirtual(encoder, "encodeBinary",
                            MethodType.methodType(boolean.class, ByteBuffer.class, boolean.class, ByteBuffer.class))
                    .asType(MethodType.methodType(boolean.class, Object.class, ByteBuffer.class, boolean.class,
                            ByteBuffer.class));
            RESET = inEncoder.findVirtual(encoder, "reset", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(
                    "run with --add-opens java.net.http/jdk.internal.net.http.websocket=ALL-UNNAMED: " + e);
        }
    }

    private MaskingKeys duplexKeys;
    private SecureRandom jdkKeys;

    /** The payload and each client's per-connection state, per size. */
    @State(Scope.Thread)
    public static class Payload {
        @Param({"64", "1024", "65536", "1048576"})
        public int size;

        byte[] bytes;
        ByteBuffer inPlaceSrc;
        ByteBuffer inPlaceDst;
        ByteBuffer message;
        int key;
        MaskingKeys duplexKeys;
        Object jdkMasker;
        Object jdkEncoder;
        ByteBuffer jdkWriteBuffer;
        OutboundMasker duplexMasker;
        byte[] duplexWriteBuffer;

        @Setup
        public void setUp() throws Throwable {
            SplittableRandom random = new SplittableRandom(6455);
            bytes = new byte[size];
            random.nextBytes(bytes);
            key = random.nextInt() | 1;
            inPlaceSrc = ByteBuffer.wrap(bytes);
            inPlaceDst = ByteBuffer.wrap(bytes);
            message = ByteBuffer.wrap(bytes.clone());
            duplexKeys = new MaskingKeys(new SecureRandom());
            jdkMasker = (Object) NEW_MASKER.invokeExact();
            jdkEncoder = (Object) NEW_ENCODER.invokeExact();
            jdkWriteBuffer = ByteBuffer.allocate(16384);
            duplexMasker = new OutboundMasker();
            duplexWriteBuffer = new byte[16384]; // MaskingOutputStream.BUFFER_SIZE
        }
    }

    @Setup
    public void setUp() {
        duplexKeys = new MaskingKeys(new SecureRandom());
        jdkKeys = new SecureRandom(); // as MessageEncoder does
        System.out.println("\nthe JDK client's key source: new SecureRandom() = " + jdkKeys.getAlgorithm()
                + " from " + jdkKeys.getProvider().getName());
    }

    /** Duplex's XOR loop, in place; XORing twice restores the input, so state stays bounded. */
    @Benchmark
    public byte[] duplexMask(Payload p) {
        Masking.apply(p.key, 0, p.bytes, 0, p.size);
        return p.bytes;
    }

    /** The JDK client's XOR loop over the same bytes, in place (source and destination may be one array). */
    @Benchmark
    public Object jdkMask(Payload p) throws Throwable {
        Object masker = (Object) SET_MASK.invokeExact(p.jdkMasker, p.key);
        APPLY_MASK.invokeExact(masker, p.inPlaceSrc.clear(), p.inPlaceDst.clear());
        return p.inPlaceDst;
    }

    /** One frame's key from Duplex's client. */
    @Benchmark
    public int duplexKey() {
        return duplexKeys.next();
    }

    /** One frame's key from the JDK's client: {@code SecureRandom.nextInt()}. */
    @Benchmark
    public int jdkKey() {
        return jdkKeys.nextInt();
    }

    /**
     * One binary message framed by Duplex's client: key, header, then header and payload masked
     * into the reused 16 KiB write buffer a piece at a time (where the client writes each piece
     * to the socket).
     */
    @Benchmark
    public byte[] duplexFrame(Payload p) {
        ByteBuffer[] frame = FrameEncoder.encodeMaskedOnWrite(true, 0, Opcode.BINARY, p.message.clear(),
                p.duplexKeys.next(), false);
        byte[] buffer = p.duplexWriteBuffer;
        for (ByteBuffer b : frame) {
            byte[] src = b.array();
            int offset = b.arrayOffset() + b.position();
            int left = b.remaining();
            while (left > 0) {
                int n = p.duplexMasker.mask(src, offset, left, buffer, 0, buffer.length);
                offset += n; // here the client writes buffer[0, n) to the socket
                left -= n;
            }
        }
        return buffer;
    }

    /** The way before issue 16: one fresh array per message holding header and masked payload. */
    @Benchmark
    public ByteBuffer[] duplexFrameArray(Payload p) {
        return FrameEncoder.encode(true, 0, Opcode.BINARY, p.message.clear(), p.duplexKeys.next());
    }

    /** One binary message framed by the JDK's client: key, header, mask-while-copying, 16 KiB at a time. */
    @Benchmark
    public ByteBuffer jdkFrame(Payload p) throws Throwable {
        ByteBuffer src = p.message.clear();
        ByteBuffer dst = p.jdkWriteBuffer;
        boolean done;
        do {
            dst.clear();
            done = (boolean) ENCODE_BINARY.invokeExact(p.jdkEncoder, src, true, dst);
            dst.flip(); // where TransportImpl writes dst to the socket
        } while (!done);
        RESET.invokeExact(p.jdkEncoder);
        return dst;
    }
}
