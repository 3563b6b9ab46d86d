package dev.duplex.benchmarks.micro;

import dev.duplex.protocol.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * UTF-8 validation of a text message (RFC 6455 8.1) against the JDK's strict decoder
 * ({@code CharsetDecoder} with REPORT), which is what a library without a validator of its
 * own uses. Both on ASCII and on mixed text (Latin with accents, CJK, emoji). The validator
 * only validates; {@code duplexDecode} adds the String that a text message becomes, for the
 * like-for-like comparison with a decoder that produces characters.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Utf8Benchmark {
    @Param({"ascii", "mixed"})
    public String text;

    @Param({"32", "16384"})
    public int size;

    private byte[] bytes;
    private Utf8Validator validator;
    private CharsetDecoder decoder;
    private CharBuffer chars;

    @Setup
    public void setUp() {
        String unit = text.equals("ascii")
                ? "The quick brown fox jumps over the lazy dog, 0123456789. "
                : "Grüße aus Köln, señor — 東京で会いましょう 🎉🚀 Ελληνικά ";
        StringBuilder b = new StringBuilder();
        while (b.toString().getBytes(StandardCharsets.UTF_8).length < size) {
            b.append(unit);
        }
        // Cut at a code point boundary at or below size bytes.
        byte[] all = b.toString().getBytes(StandardCharsets.UTF_8);
        int end = Math.min(size, all.length);
        while (end > 0 && (all[end] & 0xc0) == 0x80) {
            end--;
        }
        bytes = java.util.Arrays.copyOf(all, end);
        validator = new Utf8Validator();
        decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        chars = CharBuffer.allocate(bytes.length);
    }

    @Benchmark
    public boolean duplexValidate() {
        validator.reset();
        return validator.update(bytes, 0, bytes.length) < 0 && validator.isComplete();
    }

    @Benchmark
    public String duplexDecode() {
        return Utf8Validator.decode(bytes, 0, bytes.length);
    }

    @Benchmark
    public CharBuffer charsetDecoder() throws CharacterCodingException {
        decoder.reset();
        chars.clear();
        CoderResult r = decoder.decode(ByteBuffer.wrap(bytes), chars, true);
        if (r.isError()) {
            r.throwException();
        }
        decoder.flush(chars);
        return chars;
    }

    @Benchmark
    public String charsetDecoderToString() throws CharacterCodingException {
        return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    }
}
