package dev.duplex.protocol.inspect;

import static dev.duplex.protocol.frame.FrameHeader.B0_FLAG_FIN;
import static dev.duplex.protocol.frame.FrameHeader.B0_FLAG_RSV1;
import static dev.duplex.protocol.frame.FrameHeader.B0_MASK_OPCODE;
import static dev.duplex.protocol.frame.FrameHeader.B0_MASK_RSV;
import static dev.duplex.protocol.frame.FrameHeader.B1_FLAG_MASK;
import static dev.duplex.protocol.frame.FrameHeader.B1_MASK_LENGTH;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_16;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_64;
import static dev.duplex.protocol.frame.FrameHeader.MAX_CONTROL_PAYLOAD;
import static dev.duplex.protocol.frame.FrameHeader.MAX_HEADER_LENGTH;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.Utf8Validator;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.frame.Masking;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the frames of one direction of a WebSocket connection for display, without taking part
 * in it: headers, unmasked payloads, fragmentation, permessage-deflate (RFC 7692) with the
 * negotiated context takeover, close bodies, and every protocol violation with what the
 * receiving end must do about it.
 *
 * <p>Unlike {@link dev.duplex.protocol.frame.FrameDecoder}, which stops at the first violation,
 * this carries on past what it can (a reserved opcode still has a length, so the next frame is
 * still found); only a 64-bit length with its top bit set leaves the rest of the stream
 * unreadable as frames. Bytes may arrive split anywhere. Payloads are kept only up to the
 * display limit, so a large frame costs no more memory than a small one.
 *
 * <p>Not thread-safe. Holds a zlib stream when deflate is on: {@link #close()} it.
 */
public final class FrameDissector implements AutoCloseable {
    /**
     * Inflating a message stops past this many bytes: the tracer only shows the start, and a
     * receiver with any limit at all would have failed the connection long before.
     */
    public static final long INFLATE_LIMIT = 64L << 20;

    private final Direction direction;
    private final int maxShown;
    private final PerMessageDeflate deflate;
    private final boolean inboundContextTakeover;
    /** RSV bits defined by an extension we cannot decode: they are not flagged. */
    private final int foreignRsv;
    private final byte[] scratch = new byte[16 * 1024];
    private long inflateLimit = INFLATE_LIMIT;

    // The header being read.
    private final byte[] head = new byte[MAX_HEADER_LENGTH];
    private int headFill;

    // The frame being read; inFrame once its header is complete.
    private boolean inFrame;
    private boolean fin;
    private int rsv;
    private int opcode;
    private boolean masked;
    private int maskingKey;
    private long payloadLength;
    private int lengthBits;
    private long received;
    private int keyIndex;
    private int fragment;
    private boolean belongsToMessage;
    private byte[] shown;
    private int shownFill;
    private final byte[] control = new byte[MAX_CONTROL_PAYLOAD];
    private int controlFill;
    private byte[] inflatedShown;
    private int inflatedFill;
    private long inflatedThisFrame;
    private List<Violation> violations;

    // The data message in progress, if any.
    private Opcode messageType;
    private int messageFragments;
    private boolean messageCompressed;
    /** RSV bits on the first frame that nothing here can decode: the payload is opaque. */
    private boolean messageOpaque;
    private Extension.MessageDecoder decoder;
    private boolean inflateFailed;
    private long messageInflated;
    private long messageTextOffset;
    private final Utf8Validator utf8 = new Utf8Validator();
    private boolean utf8Reported;

    // The stream as a whole.
    /** A compressed message failed to inflate and the window it leaves is needed by the next. */
    private boolean contextLost;
    private boolean closeSeen;
    private boolean desynchronised;
    private long skipped;

    private FrameDissector(Direction direction, int maxShown, DeflateParameters agreed, int foreignRsv) {
        if (maxShown < 0) {
            throw new IllegalArgumentException("maxShown must not be negative");
        }
        this.direction = direction;
        this.maxShown = maxShown;
        this.foreignRsv = foreignRsv & B0_MASK_RSV;
        if (agreed == null) {
            this.deflate = null;
            this.inboundContextTakeover = false;
        } else {
            // The receiver's side of the agreement is the one that inflates this direction.
            Role receiver = direction.sender() == Role.CLIENT ? Role.SERVER : Role.CLIENT;
            this.deflate = PerMessageDeflate.of(receiver, agreed, PerMessageDeflate.Config.DEFAULTS);
            this.inboundContextTakeover = direction.sender() == Role.CLIENT
                    ? !agreed.clientNoContextTakeover()
                    : !agreed.serverNoContextTakeover();
        }
    }

    /**
     * A dissector for frames sent in {@code direction}.
     *
     * @param maxShown the most payload bytes (and inflated bytes) kept per frame for display
     * @param deflate the permessage-deflate parameters the handshake agreed on, or null when it
     *     was not negotiated (a compressed frame is then a violation and is not inflated)
     */
    public static FrameDissector create(Direction direction, int maxShown, DeflateParameters deflate) {
        return new FrameDissector(direction, maxShown, deflate, 0);
    }

    /**
     * As {@link #create}, when the handshake also agreed on extensions this dissector cannot
     * decode: their RSV bits ({@code foreignRsv}) are not flagged, and messages that carry them
     * are shown as they are.
     */
    public static FrameDissector create(Direction direction, int maxShown, DeflateParameters deflate,
                                        int foreignRsv) {
        return new FrameDissector(direction, maxShown, deflate, foreignRsv);
    }

    /** Lowers the inflate limit, so a test need not inflate 64 MiB to pass it. */
    FrameDissector inflateLimit(long bytes) {
        this.inflateLimit = bytes;
        return this;
    }

    /** The direction this dissector reads. */
    public Direction direction() {
        return direction;
    }

    /**
     * Reads all of {@code in}, adding every frame it completes to {@code out}. A frame split
     * across calls is reported once, when its last byte arrives.
     */
    public void feed(ByteBuffer in, List<Dissection> out) {
        while (in.hasRemaining()) {
            if (desynchronised) {
                skipped += in.remaining();
                in.position(in.limit());
                return;
            }
            if (!inFrame) {
                if (!readHeader(in)) {
                    return;
                }
                startFrame(out);
                if (!desynchronised && payloadLength == 0) {
                    finishFrame(out);
                }
                continue;
            }
            int n = (int) Math.min(Math.min(in.remaining(), payloadLength - received), scratch.length);
            in.get(scratch, 0, n);
            if (masked) {
                keyIndex = Masking.apply(maskingKey, keyIndex, scratch, 0, n);
            }
            payload(scratch, n);
            received += n;
            if (received == payloadLength) {
                finishFrame(out);
            }
        }
    }

    /**
     * The stream has ended: reports a frame or message cut short, bytes passed over, and an end
     * with no close frame.
     */
    public void endOfStream(List<Dissection> out) {
        endOfInput(out);
        if (!closeSeen && !desynchronised) {
            out.add(new Dissection.Note(direction, "the stream ended without a close frame"
                    + " (the other end reports 1006, abnormal closure)", List.of()));
        }
    }

    /**
     * The bytes given are all there is, as when decoding a few frames by hand: reports a frame
     * or message cut short and bytes passed over, but not the missing close frame.
     */
    public void endOfInput(List<Dissection> out) {
        if (desynchronised) {
            out.add(new Dissection.Skipped(direction, skipped, "bytes after the frame stream was lost", List.of()));
        } else if (inFrame) {
            out.add(new Dissection.Note(direction, "the stream ended " + received + " bytes into the payload of a "
                    + opcodeLabel(opcode) + " frame of " + payloadLength + " bytes", List.of()));
        } else if (headFill > 0) {
            out.add(new Dissection.Note(direction, "the stream ended " + headFill + " bytes into a frame header",
                    List.of()));
        }
        if (messageType != null) {
            out.add(new Dissection.Note(direction, "the stream ended inside a fragmented " + messageType
                    + " message after " + messageFragments + (messageFragments == 1 ? " frame" : " frames"), List.of()));
        }
    }

    /** Ends the zlib stream, if one was made. Idempotent. */
    @Override
    public void close() {
        if (deflate != null) {
            deflate.close();
        }
    }

    /** Gathers header bytes; true once the whole header is in {@link #head}. */
    private boolean readHeader(ByteBuffer in) {
        while (in.hasRemaining()) {
            head[headFill++] = in.get();
            if (headFill >= 2 && headFill == headerLength()) {
                return true;
            }
        }
        return false;
    }

    private int headerLength() {
        int length7 = head[1] & B1_MASK_LENGTH;
        int lengthBytes = length7 == LENGTH_16 ? 2 : length7 == LENGTH_64 ? 8 : 0;
        return 2 + lengthBytes + ((head[1] & B1_FLAG_MASK) != 0 ? 4 : 0);
    }

    /** Decodes the header just read and checks what it alone decides (RFC 6455 5.2–5.5). */
    private void startFrame(List<Dissection> out) {
        ByteBuffer h = ByteBuffer.wrap(head, 0, headFill);
        int b0 = head[0] & 0xff;
        int b1 = head[1] & 0xff;
        fin = (b0 & B0_FLAG_FIN) != 0;
        rsv = b0 & B0_MASK_RSV;
        opcode = b0 & B0_MASK_OPCODE;
        masked = (b1 & B1_FLAG_MASK) != 0;
        int length7 = b1 & B1_MASK_LENGTH;
        lengthBits = length7 == LENGTH_16 ? 16 : length7 == LENGTH_64 ? 64 : 7;
        payloadLength = lengthBits == 7 ? length7 : lengthBits == 16 ? h.getShort(2) & 0xffff : h.getLong(2);
        maskingKey = masked ? h.getInt(headFill - 4) : 0;
        headFill = 0;
        inFrame = true;
        received = 0;
        keyIndex = 0;
        violations = new ArrayList<>();
        inflatedShown = null;
        inflatedFill = 0;
        inflatedThisFrame = 0;
        controlFill = 0;
        belongsToMessage = false;
        fragment = 0;

        Opcode known = Opcode.of(opcode);
        if (closeSeen) {
            violations.add(new Violation("RFC 6455 5.5.1", "frame sent after a close frame",
                    direction.receiverName() + " discards it: nothing may follow a close frame", 0));
        }
        if (known == null) {
            violations.add(fail("RFC 6455 5.2", "reserved opcode 0x" + Integer.toHexString(opcode).toUpperCase(),
                    CloseStatus.PROTOCOL_ERROR));
        }
        if (direction.sender() == Role.CLIENT && !masked) {
            violations.add(fail("RFC 6455 5.1", "client frame is not masked", CloseStatus.PROTOCOL_ERROR));
        } else if (direction.sender() == Role.SERVER && masked) {
            violations.add(fail("RFC 6455 5.1", "server frame is masked", CloseStatus.PROTOCOL_ERROR));
        }
        checkRsv(known);
        if (known != null && known.isControl()) {
            if (!fin) {
                violations.add(fail("RFC 6455 5.5", "control frame is fragmented (FIN is 0)", CloseStatus.PROTOCOL_ERROR));
            }
            if (length7 > MAX_CONTROL_PAYLOAD) {
                violations.add(fail("RFC 6455 5.5", "control frame payload longer than 125 bytes",
                        CloseStatus.PROTOCOL_ERROR));
            }
        }
        if (payloadLength < 0) {
            violations.add(fail("RFC 6455 5.2", "64-bit payload length with its most significant bit set",
                    CloseStatus.PROTOCOL_ERROR));
            shown = new byte[0];
            out.add(frame());
            desynchronised = true;
            inFrame = false;
            out.add(new Dissection.Note(direction, "the frame's length cannot be followed: the rest of this"
                    + " direction is not dissected", List.of()));
            return;
        }
        if (lengthBits == 16 && payloadLength <= 125 || lengthBits == 64 && payloadLength <= 0xffff) {
            violations.add(new Violation("RFC 6455 5.2", "payload length " + payloadLength + " sent in the "
                    + lengthBits + "-bit form; the minimal encoding is required",
                    direction.receiverName() + " may fail the connection with 1002 (protocol error)",
                    CloseStatus.PROTOCOL_ERROR));
        }
        sequence(known);
        shown = new byte[(int) Math.min(payloadLength, maxShown)];
        shownFill = 0;
    }

    private void checkRsv(Opcode known) {
        int defined = (deflate != null ? PerMessageDeflate.RSV1 : 0) | foreignRsv;
        int unexpected = rsv & ~defined;
        for (int bit = 0x40, n = 1; bit >= 0x10; bit >>= 1, n++) {
            if ((unexpected & bit) != 0) {
                violations.add(fail("RFC 6455 5.2", "RSV" + n + " is set but no negotiated extension defines it",
                        CloseStatus.PROTOCOL_ERROR));
            }
        }
        if (deflate != null && (rsv & B0_FLAG_RSV1) != 0 && known != null) {
            // RFC 7692 6.1: the "Per-Message Compressed" bit belongs on a message's first frame.
            if (known.isControl()) {
                violations.add(fail("RFC 7692 6.1", "RSV1 is set on a control frame", CloseStatus.PROTOCOL_ERROR));
            } else if (known == Opcode.CONTINUATION) {
                violations.add(fail("RFC 7692 6.1", "RSV1 is set on a continuation frame", CloseStatus.PROTOCOL_ERROR));
            }
        }
    }

    /** Fragmentation (RFC 6455 5.4): where this frame stands in a message. */
    private void sequence(Opcode known) {
        belongsToMessage = false;
        fragment = 0;
        if (known == null || known.isControl()) {
            return;
        }
        if (known == Opcode.CONTINUATION) {
            if (messageType == null) {
                violations.add(fail("RFC 6455 5.4", "continuation frame with no message to continue",
                        CloseStatus.PROTOCOL_ERROR));
                return;
            }
            belongsToMessage = true;
            fragment = ++messageFragments;
            return;
        }
        if (messageType != null) {
            violations.add(fail("RFC 6455 5.4", "a new " + known + " message starts before the fragmented "
                    + messageType + " message has ended", CloseStatus.PROTOCOL_ERROR));
        }
        messageType = known;
        messageFragments = 1;
        fragment = 1;
        belongsToMessage = true;
        messageCompressed = deflate != null && (rsv & PerMessageDeflate.RSV1) != 0;
        messageOpaque = !messageCompressed && rsv != 0;
        messageInflated = 0;
        messageTextOffset = 0;
        inflateFailed = false;
        decoder = null;
        utf8.reset();
        utf8Reported = false;
        if (messageCompressed) {
            if (contextLost) {
                inflateFailed = true; // noted once, where the window was lost
            } else {
                decoder = deflate.decoder(PerMessageDeflate.RSV1);
            }
        }
    }

    /** One unmasked piece of the current frame's payload. */
    private void payload(byte[] bytes, int length) {
        int keep = Math.min(length, shown.length - shownFill);
        System.arraycopy(bytes, 0, shown, shownFill, keep);
        shownFill += keep;
        Opcode known = Opcode.of(opcode);
        if (known != null && known.isControl()) {
            int room = Math.min(length, control.length - controlFill);
            System.arraycopy(bytes, 0, control, controlFill, room);
            controlFill += room;
            return;
        }
        if (!belongsToMessage) {
            return;
        }
        if (messageCompressed) {
            inflate(ByteBuffer.wrap(bytes, 0, length), false);
        } else if (messageType == Opcode.TEXT && !messageOpaque) {
            checkText(bytes, 0, length);
        }
    }

    private void inflate(ByteBuffer compressed, boolean last) {
        if (decoder == null || inflateFailed) {
            return;
        }
        if (inflatedShown == null) {
            inflatedShown = new byte[Math.min(maxShown, 256)]; // grows up to maxShown as output comes
        }
        try {
            decoder.decode(compressed, last, this::inflated);
        } catch (InflateLimitReached e) {
            inflateFailed = true;
            contextLost = inboundContextTakeover;
            violations.add(new Violation("RFC 7692 8.1", "the message inflates to more than " + inflateLimit
                    + " bytes; the tracer stops inflating it",
                    "a receiver enforces its own size limit, failing the connection with 1009 (message too big)",
                    CloseStatus.MESSAGE_TOO_BIG));
        } catch (ProtocolException e) {
            inflateFailed = true;
            contextLost = inboundContextTakeover;
            violations.add(fail("RFC 7692 7.2.2", "the compressed data is not valid DEFLATE", e.closeCode()));
        }
    }

    private void inflated(byte[] bytes, int offset, int length) {
        inflatedThisFrame += length;
        messageInflated += length;
        int wanted = Math.min(maxShown, inflatedFill + length);
        if (wanted > inflatedShown.length) {
            inflatedShown = Arrays.copyOf(inflatedShown, Math.min(maxShown, Math.max(wanted, inflatedShown.length * 2)));
        }
        int keep = Math.min(length, inflatedShown.length - inflatedFill);
        System.arraycopy(bytes, offset, inflatedShown, inflatedFill, keep);
        inflatedFill += keep;
        if (messageType == Opcode.TEXT) {
            checkText(bytes, offset, length);
        }
        if (messageInflated > inflateLimit) {
            throw new InflateLimitReached();
        }
    }

    /** RFC 6455 8.1: text is UTF-8, checked as it arrives so the first bad byte is the one flagged. */
    private void checkText(byte[] bytes, int offset, int length) {
        if (!utf8Reported) {
            int bad = utf8.update(bytes, offset, length);
            if (bad >= 0) {
                utf8Reported = true;
                violations.add(fail("RFC 6455 8.1", "text message is not valid UTF-8 (byte "
                        + (messageTextOffset + bad - offset) + " of the message)", CloseStatus.INVALID_PAYLOAD));
            }
        }
        messageTextOffset += length;
    }

    private void finishFrame(List<Dissection> out) {
        Opcode known = Opcode.of(opcode);
        boolean endsMessage = belongsToMessage && fin;
        if (endsMessage && messageCompressed) {
            inflate(ByteBuffer.allocate(0), true);
        }
        if (endsMessage && messageType == Opcode.TEXT && !messageOpaque && !utf8Reported
                && !(messageCompressed && inflateFailed) && !utf8.isComplete()) {
            violations.add(fail("RFC 6455 8.1", "text message ends inside a UTF-8 sequence", CloseStatus.INVALID_PAYLOAD));
        }
        int closeCode = -1;
        String closeReason = null;
        if (known == Opcode.CLOSE) {
            closeSeen = true;
            if (controlFill == 1) {
                violations.add(fail("RFC 6455 5.5.1", "close frame body of 1 byte, too short for a status code",
                        CloseStatus.PROTOCOL_ERROR));
            } else if (controlFill >= 2) {
                closeCode = (control[0] & 0xff) << 8 | (control[1] & 0xff);
                boolean validCode = CloseStatus.isValidOnWire(closeCode);
                if (!validCode) {
                    violations.add(fail("RFC 6455 7.4.1", "close code " + closeCode + " ("
                            + CloseStatus.nameOf(closeCode) + ") may not be sent in a close frame",
                            CloseStatus.PROTOCOL_ERROR));
                }
                if (Utf8Validator.isValid(control, 2, controlFill - 2)) {
                    closeReason = Utf8Validator.decode(control, 2, controlFill - 2);
                } else {
                    violations.add(fail("RFC 6455 5.5.1", "close reason is not valid UTF-8", CloseStatus.INVALID_PAYLOAD));
                }
            }
        }
        out.add(frame(closeCode, closeReason));
        if (endsMessage) {
            messageType = null;
            decoder = null;
        }
        inFrame = false;
        shown = null;
    }

    private Dissection.Frame frame() {
        return frame(-1, null);
    }

    private Dissection.Frame frame(int closeCode, String closeReason) {
        boolean inflatedSomething = belongsToMessage && messageCompressed && !inflateFailed && inflatedShown != null;
        boolean emptyInflate = belongsToMessage && messageCompressed && !inflateFailed && inflatedShown == null;
        byte[] inflatedBytes = inflatedSomething ? Arrays.copyOf(inflatedShown, inflatedFill)
                : emptyInflate ? new byte[0] : null;
        long inflatedLength = inflatedBytes == null ? -1 : inflatedThisFrame;
        byte[] payloadBytes = shown == null ? new byte[0] : shownFill == shown.length ? shown : Arrays.copyOf(shown, shownFill);
        return new Dissection.Frame(direction, fin, rsv, opcode, masked, maskingKey, payloadLength, lengthBits,
                belongsToMessage ? messageType : null, fragment, belongsToMessage && messageCompressed,
                payloadBytes, inflatedBytes, inflatedLength, closeCode, closeReason, violations);
    }

    /** A violation that a receiver answers by failing the connection with {@code code}. */
    private Violation fail(String rule, String problem, int code) {
        return new Violation(rule, problem, direction.receiverName() + " must fail the connection with "
                + code + " (" + CloseStatus.nameOf(code) + ")", code);
    }

    private static String opcodeLabel(int opcode) {
        Opcode known = Opcode.of(opcode);
        return known != null ? known.name() : "reserved-opcode";
    }

    /** Thrown from the inflate sink to stop a message that inflates past the limit. */
    private static final class InflateLimitReached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InflateLimitReached() {
            super(null, null, false, false);
        }
    }
}
