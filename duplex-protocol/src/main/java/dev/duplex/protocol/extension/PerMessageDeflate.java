package dev.duplex.protocol.extension;

import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The permessage-deflate extension (RFC 7692 7) for one connection: compresses outbound data
 * messages and inflates inbound ones whose first frame has RSV1 set.
 *
 * <p>Instances come from the negotiation ({@link DeflateNegotiation}) or from
 * {@link #of(Role, DeflateParameters, Config)}. Outbound, a 15-bit window uses the JDK's zlib
 * and a smaller one Duplex's own {@code WindowedDeflater}, so a window a peer asks for is
 * honoured rather than declined (row G5). Inbound, {@link java.util.zip.Inflater}'s 15-bit
 * window accepts every window size, and output reaches the sink in steps of at most 16 KiB
 * (row G1).
 *
 * <p>Memory (row G4): no zlib stream exists until the first compressed message in its
 * direction. On a side with no context takeover the stream is released after every message,
 * so an idle connection holds none; on a side with context takeover it lives until
 * {@link #close()}.
 *
 * <p>Not thread-safe: the connection that owns it serialises calls, as {@link Extension} says.
 */
public final class PerMessageDeflate implements Extension {
    /** The extension token (RFC 7692 7). */
    public static final String NAME = "permessage-deflate";
    /** RFC 7692 6: RSV1 marks a compressed message ("Per-Message Compressed" bit). */
    public static final int RSV1 = 0x40;

    /** The JDK's Deflater searches exactly this window; smaller ones need WindowedDeflater. */
    private static final int ZLIB_WINDOW_BITS = 15;
    private static final int TAIL_LENGTH = 4;

    private final int outboundWindowBits;
    private final boolean outboundNoContextTakeover;
    private final boolean inboundNoContextTakeover;
    private final int level;
    private final int threshold;
    private final BoundedInflater inflater = new BoundedInflater();
    private MessageDeflater deflater;
    private boolean closed;

    private PerMessageDeflate(int outboundWindowBits, boolean outboundNoContextTakeover,
                              boolean inboundNoContextTakeover, Config config) {
        this.outboundWindowBits = outboundWindowBits;
        this.outboundNoContextTakeover = outboundNoContextTakeover;
        this.inboundNoContextTakeover = inboundNoContextTakeover;
        this.level = config.compressionLevel();
        this.threshold = config.threshold();
    }

    /**
     * The extension for this end of a connection that agreed on {@code agreed}, the parameters
     * of the server's response. What this end promised in its own offer or response also binds
     * it: a client's {@code client_max_window_bits} and {@code client_no_context_takeover} from
     * {@code config} hold even if the server's response left them out (RFC 7692 7.1.1.2,
     * 7.1.2.2).
     */
    public static PerMessageDeflate of(Role role, DeflateParameters agreed, Config config) {
        Objects.requireNonNull(agreed, "agreed");
        Objects.requireNonNull(config, "config");
        if (Objects.requireNonNull(role, "role") == Role.SERVER) {
            int bits = Math.min(config.serverMaxWindowBits(), valueOr15(agreed.serverMaxWindowBits()));
            return new PerMessageDeflate(bits,
                    agreed.serverNoContextTakeover() || config.serverNoContextTakeover(),
                    agreed.clientNoContextTakeover(), config);
        }
        int bits = Math.min(config.clientMaxWindowBits(), valueOr15(agreed.clientMaxWindowBits()));
        return new PerMessageDeflate(bits,
                agreed.clientNoContextTakeover() || config.clientNoContextTakeover(),
                agreed.serverNoContextTakeover(), config);
    }

    private static int valueOr15(int windowBits) {
        return windowBits > 0 ? windowBits : ZLIB_WINDOW_BITS;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int rsvMask() {
        return RSV1;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The bytes handed to the sink are valid only during its call; it copies what it keeps.
     */
    @Override
    public MessageDecoder decoder(int rsv) {
        ensureOpen();
        if ((rsv & RSV1) == 0) {
            return null;
        }
        // RFC 7692 7.1.1: without the peer's context takeover each message stands alone.
        inflater.beginMessage(inboundNoContextTakeover);
        return (payload, fin, sink) -> {
            ensureOpen();
            inflater.inflate(payload, fin, sink);
            if (fin && inboundNoContextTakeover) {
                inflater.end();
            }
        };
    }

    /**
     * {@inheritDoc}
     *
     * <p>Messages shorter than {@link Config#threshold()} are sent as they are. Otherwise the
     * result is a new buffer holding the message's DEFLATE data without the sync flush's
     * trailing {@code 00 00 ff ff} (RFC 7692 7.2.1); an empty message becomes the single byte
     * {@code 00} (RFC 7692 7.2.3.6). The position of {@code payload} is not changed.
     */
    @Override
    public Encoded encode(ByteBuffer payload, boolean allowTransform) {
        ensureOpen();
        if (!allowTransform || payload.remaining() < threshold) {
            return new Encoded(payload, 0);
        }
        if (deflater == null) {
            deflater = outboundWindowBits == ZLIB_WINDOW_BITS
                    ? new ZlibDeflater(level)
                    : new WindowedDeflater(outboundWindowBits, level);
        }
        ByteBuffer out = deflater.deflateMessage(payload.duplicate());
        if (outboundNoContextTakeover) {
            deflater.end();
            deflater = null;
        }
        if (out.hasRemaining() && !endsWithTail(out)) {
            throw new IllegalStateException("sync flush did not end in 00 00 ff ff");
        }
        int length = Math.max(0, out.remaining() - TAIL_LENGTH);
        if (length == 0) {
            // RFC 7692 7.2.3.6: zlib writes nothing for an empty message right after a flush;
            // the byte 00, an empty stored block cut before its LEN, stands in for it.
            return new Encoded(ByteBuffer.wrap(new byte[] {0x00}), RSV1);
        }
        out.limit(out.position() + length);
        return new Encoded(out.slice(), RSV1);
    }

    /** Ends both zlib streams. Idempotent; the extension cannot be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (deflater != null) {
            deflater.end();
            deflater = null;
        }
        inflater.end();
    }

    int outboundWindowBits() {
        return outboundWindowBits;
    }

    boolean outboundNoContextTakeover() {
        return outboundNoContextTakeover;
    }

    boolean inboundNoContextTakeover() {
        return inboundNoContextTakeover;
    }

    /** RFC 7692 7.2.1: the sender removes the 00 00 ff ff that a sync flush ends with. */
    private static boolean endsWithTail(ByteBuffer out) {
        int end = out.limit();
        return out.remaining() >= TAIL_LENGTH && out.get(end - 4) == 0 && out.get(end - 3) == 0
                && out.get(end - 2) == (byte) 0xff && out.get(end - 1) == (byte) 0xff;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("permessage-deflate is closed");
        }
    }

    @Override
    public String toString() {
        return NAME + "[window=" + outboundWindowBits
                + (outboundNoContextTakeover ? ", no outbound context" : "")
                + (inboundNoContextTakeover ? ", no inbound context" : "") + "]";
    }

    /**
     * What this end supports and asks for; one record serves both roles, each option read in
     * RFC 7692's terms. Immutable; start from {@link #DEFAULTS} and change options with the
     * {@code with} methods.
     *
     * @param compressionLevel 1 (fastest) to 9 (smallest), or 0 for no LZ77 matching; default 6,
     *     zlib's own default
     * @param threshold messages shorter than this many bytes are sent uncompressed, which RFC
     *     7692 6 allows per message; default {@value #DEFAULT_THRESHOLD}: below that DEFLATE
     *     saves a few bytes at best and often adds some, while each call still costs a
     *     compressor pass. 0 compresses every message, even an empty one
     * @param serverNoContextTakeover server: always reset our window per message and say so;
     *     client: ask the server to (RFC 7692 7.1.1.1). Default false
     * @param clientNoContextTakeover server: ask the client to reset its window per message,
     *     which lets this server drop its inflater between messages; client: reset ours and say
     *     so (RFC 7692 7.1.1.2). Default false
     * @param serverMaxWindowBits server: the largest window we compress with, announced when
     *     below 15; client: below 15, asks the server to use at most this (RFC 7692 7.1.2.1).
     *     Default 15
     * @param clientMaxWindowBits client: the largest window we compress with, offered as a
     *     value when below 15; server: below 15, asks a client that offered
     *     {@code client_max_window_bits} to use at most this (RFC 7692 7.1.2.2). Default 15
     * @param minWindowBits the smallest window this end agrees to compress with: windows below
     *     15 run on the pure-Java deflater, which is slower than zlib. Server: an offer asking
     *     for less is declined. Client: at 15 the offer leaves out {@code client_max_window_bits},
     *     so the server cannot ask for less; otherwise a response asking for less fails the
     *     handshake. Default 8, every size; must not exceed either maximum
     */
    public record Config(int compressionLevel, int threshold, boolean serverNoContextTakeover,
                         boolean clientNoContextTakeover, int serverMaxWindowBits,
                         int clientMaxWindowBits, int minWindowBits) {

        /** The default {@link #threshold()}, in bytes. */
        public static final int DEFAULT_THRESHOLD = 64;

        /** Level 6, threshold 64 bytes, context takeover both ways, 15-bit windows, all sizes honoured. */
        public static final Config DEFAULTS = new Config(6, DEFAULT_THRESHOLD, false, false, 15, 15, 8);

        /** Checks every option's range. */
        public Config {
            if (compressionLevel < 0 || compressionLevel > 9) {
                throw new IllegalArgumentException("compressionLevel must be 0..9");
            }
            if (threshold < 0) {
                throw new IllegalArgumentException("threshold must not be negative");
            }
            if (!DeflateParameters.isWindowBits(serverMaxWindowBits)
                    || !DeflateParameters.isWindowBits(clientMaxWindowBits)
                    || !DeflateParameters.isWindowBits(minWindowBits)) {
                throw new IllegalArgumentException("window bits must be 8..15");
            }
            if (minWindowBits > serverMaxWindowBits || minWindowBits > clientMaxWindowBits) {
                throw new IllegalArgumentException("minWindowBits must not exceed the maximum window bits");
            }
        }

        /** A copy with {@link #compressionLevel()} changed. */
        public Config withCompressionLevel(int level) {
            return new Config(level, threshold, serverNoContextTakeover, clientNoContextTakeover,
                    serverMaxWindowBits, clientMaxWindowBits, minWindowBits);
        }

        /** A copy with {@link #threshold()} changed. */
        public Config withThreshold(int bytes) {
            return new Config(compressionLevel, bytes, serverNoContextTakeover, clientNoContextTakeover,
                    serverMaxWindowBits, clientMaxWindowBits, minWindowBits);
        }

        /** A copy with {@link #serverNoContextTakeover()} changed. */
        public Config withServerNoContextTakeover(boolean on) {
            return new Config(compressionLevel, threshold, on, clientNoContextTakeover,
                    serverMaxWindowBits, clientMaxWindowBits, minWindowBits);
        }

        /** A copy with {@link #clientNoContextTakeover()} changed. */
        public Config withClientNoContextTakeover(boolean on) {
            return new Config(compressionLevel, threshold, serverNoContextTakeover, on,
                    serverMaxWindowBits, clientMaxWindowBits, minWindowBits);
        }

        /**
         * No context takeover in either direction, so neither end keeps a compressor or
         * inflater between messages. A server switches new connections to this when its cap
         * on live compressors is reached (row G4); RFC 7692 7.1.1 lets a server impose both
         * parameters on any offer.
         */
        public Config withoutContextTakeover() {
            return withServerNoContextTakeover(true).withClientNoContextTakeover(true);
        }

        /** A copy with {@link #serverMaxWindowBits()} changed. */
        public Config withServerMaxWindowBits(int bits) {
            return new Config(compressionLevel, threshold, serverNoContextTakeover, clientNoContextTakeover,
                    bits, clientMaxWindowBits, minWindowBits);
        }

        /** A copy with {@link #clientMaxWindowBits()} changed. */
        public Config withClientMaxWindowBits(int bits) {
            return new Config(compressionLevel, threshold, serverNoContextTakeover, clientNoContextTakeover,
                    serverMaxWindowBits, bits, minWindowBits);
        }

        /** A copy with {@link #minWindowBits()} changed. */
        public Config withMinWindowBits(int bits) {
            return new Config(compressionLevel, threshold, serverNoContextTakeover, clientNoContextTakeover,
                    serverMaxWindowBits, clientMaxWindowBits, bits);
        }
    }
}
