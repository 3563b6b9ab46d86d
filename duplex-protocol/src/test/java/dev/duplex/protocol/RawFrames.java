package dev.duplex.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Frames built and read by hand, byte by byte, for the tests of the frame codec and the
 * connection. Nothing here calls FrameEncoder, FrameDecoder or Masking, so a bug in one of
 * them cannot hide a bug in another.
 */
public final class RawFrames {
    /** The masking key of the RFC 6455 5.7 examples. */
    public static final int RFC_KEY = 0x37fa213d;

    // First bytes: FIN flag (0x80) plus opcode, as RFC 6455 5.2 lays them out.
    public static final int CONTINUATION = 0x00;
    public static final int TEXT = 0x01;
    public static final int BINARY = 0x02;
    public static final int FIN_CONTINUATION = 0x80;
    public static final int FIN_TEXT = 0x81;
    public static final int FIN_BINARY = 0x82;
    public static final int CLOSE = 0x88;
    public static final int PING = 0x89;
    public static final int PONG = 0x8a;

    private RawFrames() {}

    /** Bytes from hex digits; spaces are ignored. */
    public static byte[] hex(String digits) {
        return HexFormat.of().parseHex(digits.replace(" ", ""));
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** {@code count} bytes counting up from 0, wrapping at 256. */
    public static byte[] counting(int count) {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** The reference masking of RFC 6455 5.3, one byte at a time: octet i XOR key octet i mod 4. */
    public static byte[] xor(byte[] payload, int key, int keyIndex) {
        byte[] out = payload.clone();
        for (int i = 0; i < out.length; i++) {
            int k = (keyIndex + i) % 4;
            out[i] ^= (byte) (key >>> (24 - 8 * k));
        }
        return out;
    }

    /** A whole frame with the shortest length encoding; masked when {@code key} is not null. */
    public static byte[] frame(int b0, byte[] payload, Integer key) {
        return frame(b0, payload, key, shortestLengthBits(payload.length));
    }

    /** A whole frame whose length field has the given width: 7, 16 or 64 bits, minimal or not. */
    public static byte[] frame(int b0, byte[] payload, Integer key, int lengthBits) {
        byte[] body = key == null ? payload : xor(payload, key, 0);
        return concat(header(b0, payload.length, key, lengthBits), body);
    }

    /** A header announcing {@code length}, shortest encoding. */
    public static byte[] header(int b0, long length, Integer key) {
        return header(b0, length, key, shortestLengthBits(length));
    }

    /**
     * A header announcing {@code length} in a length field of the given width (7, 16 or 64
     * bits), so that tests can write non-minimal encodings and lengths no encoder would.
     */
    public static byte[] header(int b0, long length, Integer key, int lengthBits) {
        ByteBuffer out = ByteBuffer.allocate(14);
        out.put((byte) b0);
        int maskBit = key == null ? 0 : 0x80;
        switch (lengthBits) {
            case 7 -> out.put((byte) (maskBit | (int) length));
            case 16 -> out.put((byte) (maskBit | 126)).putShort((short) length);
            case 64 -> out.put((byte) (maskBit | 127)).putLong(length);
            default -> throw new IllegalArgumentException("length field of " + lengthBits + " bits");
        }
        if (key != null) {
            out.putInt(key);
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    public static int shortestLengthBits(long length) {
        return length <= 125 ? 7 : length <= 0xffff ? 16 : 64;
    }

    /** A close frame body: the code in network order, then the reason as UTF-8. */
    public static byte[] closeBody(int code, String reason) {
        return concat(new byte[] {(byte) (code >> 8), (byte) code}, utf8(reason));
    }

    /** Joins a list of buffers (as takeOutbound returns them) without consuming them. */
    public static byte[] join(List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /**
     * One frame as read off the wire by {@link #parse}, payload already unmasked.
     *
     * @param b0 the first byte: FIN, RSV and opcode
     */
    public record WireFrame(int b0, boolean masked, byte[] payload) {
        public boolean fin() {
            return (b0 & 0x80) != 0;
        }

        public int opcode() {
            return b0 & 0x0f;
        }

        /** The status code of a close frame, or 1005 when its body is empty. */
        public int closeCode() {
            if (opcode() != 0x8) {
                throw new AssertionError("not a close frame: " + this);
            }
            return payload.length == 0 ? 1005 : (payload[0] & 0xff) << 8 | (payload[1] & 0xff);
        }

        public String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }

        /** A short, comparable description: opcode, FIN, masking and payload in hex. */
        @Override
        public String toString() {
            return String.format("%02x%s:%s", b0, masked ? "/masked" : "", hex(payload));
        }
    }

    /** Reads a stream of whole frames; fails the test if bytes are left over. */
    public static List<WireFrame> parse(byte[] stream) {
        List<WireFrame> frames = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(stream);
        while (in.hasRemaining()) {
            int b0 = in.get() & 0xff;
            int b1 = in.get() & 0xff;
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.getShort() & 0xffff;
            } else if (length == 127) {
                length = in.getLong();
            }
            boolean masked = (b1 & 0x80) != 0;
            int key = masked ? in.getInt() : 0;
            if (length > in.remaining()) {
                throw new AssertionError("frame announces " + length + " bytes, " + in.remaining() + " left");
            }
            byte[] payload = new byte[(int) length];
            in.get(payload);
            frames.add(new WireFrame(b0, masked, masked ? xor(payload, key, 0) : payload));
        }
        return frames;
    }

    public static List<WireFrame> parse(List<ByteBuffer> buffers) {
        return parse(join(buffers));
    }
}
