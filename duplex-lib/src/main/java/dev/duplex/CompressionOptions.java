package dev.duplex;

import dev.duplex.protocol.extension.PerMessageDeflate;
import java.util.Objects;

/**
 * Whether and how a server compresses messages with permessage-deflate (RFC 7692). Off by
 * default: compression costs CPU and native memory on every connection, and it can leak secrets
 * sent next to attacker-chosen text (CRIME/BREACH; see {@link SendOption#UNCOMPRESSED}).
 * Immutable; start from {@link #DISABLED} or {@link #ENABLED} and change options with the
 * {@code with} methods.
 *
 * <p>A client takes the same record ({@link ClientOptions#compression()}), where it is
 * {@link #ENABLED} by default, as in browsers, and {@link #maxContextTakeoverCompressors()}
 * does not apply.
 *
 * <pre>{@code
 * WebSocketServer.builder()
 *         .compression(CompressionOptions.ENABLED.withMaxContextTakeoverCompressors(256))
 *         ...
 * }</pre>
 *
 * @param enabled whether the server accepts a client's permessage-deflate offer at all;
 *     default false
 * @param deflate what the server supports and asks for: compression level, the size below
 *     which messages go out uncompressed, context takeover and window sizes. Default
 *     {@link PerMessageDeflate.Config#DEFAULTS}: level 6, 64-byte threshold, context takeover
 *     both ways, every window size a client asks for honoured
 * @param maxContextTakeoverCompressors how many connections at once may keep compression
 *     state between messages (row G4). Context takeover compresses best, but each such
 *     connection holds about 300 KiB of native zlib memory for as long as it is open. Once this
 *     many hold it, new connections negotiate {@code server_no_context_takeover} and
 *     {@code client_no_context_takeover}, which hold zlib memory only while a message is being
 *     compressed or inflated. Default {@value #DEFAULT_MAX_CONTEXT_TAKEOVER_COMPRESSORS}, about
 *     150 MiB at most; 0 makes every connection negotiate no context takeover
 */
public record CompressionOptions(boolean enabled, PerMessageDeflate.Config deflate,
                                 int maxContextTakeoverCompressors) {

    /** The default {@link #maxContextTakeoverCompressors()}. */
    public static final int DEFAULT_MAX_CONTEXT_TAKEOVER_COMPRESSORS = 512;

    /** No compression: offers of permessage-deflate are declined. The server's default. */
    public static final CompressionOptions DISABLED =
            new CompressionOptions(false, PerMessageDeflate.Config.DEFAULTS, DEFAULT_MAX_CONTEXT_TAKEOVER_COMPRESSORS);

    /** Compression on, with the defaults described above. */
    public static final CompressionOptions ENABLED = DISABLED.withEnabled(true);

    /** Checks the options. */
    public CompressionOptions {
        Objects.requireNonNull(deflate, "deflate");
        if (maxContextTakeoverCompressors < 0) {
            throw new IllegalArgumentException("maxContextTakeoverCompressors must not be negative");
        }
    }

    /** A copy with {@link #enabled()} changed. */
    public CompressionOptions withEnabled(boolean on) {
        return new CompressionOptions(on, deflate, maxContextTakeoverCompressors);
    }

    /** A copy with {@link #deflate()} changed. */
    public CompressionOptions withDeflate(PerMessageDeflate.Config config) {
        return new CompressionOptions(enabled, config, maxContextTakeoverCompressors);
    }

    /** A copy with {@link #maxContextTakeoverCompressors()} changed. */
    public CompressionOptions withMaxContextTakeoverCompressors(int max) {
        return new CompressionOptions(enabled, deflate, max);
    }
}
