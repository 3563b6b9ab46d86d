package dev.duplex.compliance.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A frame as the test client puts it on the wire (RFC 6455 5.2), laid out here byte by byte so
 * that the suite does not share a line of framing code with the server it judges. Any field may
 * hold a value the RFC forbids (RSV bits, reserved opcodes, fragmented control frames,
 * oversized control payloads): building bad frames is the point.
 *
 * @param fin the FIN bit
 * @param rsv the three RSV bits as a number 0..7 (RSV1 is 4)
 * @param opcode the 4-bit opcode, reserved ones included
 * @param payload the unmasked payload
 */
record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final int B0_FLAG_FIN = 0x80;
    private static final int B1_FLAG_MASK = 0x80;
    private static final int LENGTH_16 = 126;
    private static final int LENGTH_64 = 127;

    Frame {
        if (rsv < 0 || rsv > 7 || opcode < 0 || opcode > 15) {
            throw new IllegalArgumentException("rsv is 3 bits and opcode 4");
        }
    }

    static Frame text(String text) {
        return text(utf8(text));
    }

    static Frame text(byte[] payload) {
        return new Frame(true, 0, TEXT, payload);
    }

    static Frame binary(byte[] payload) {
        return new Frame(true, 0, BINARY, payload);
    }

    static Frame ping(byte[] payload) {
        return new Frame(true, 0, PING, payload);
    }

    static Frame ping(String payload) {
        return ping(utf8(payload));
    }

    static Frame pong(byte[] payload) {
        return new Frame(true, 0, PONG, payload);
    }

    /** A first fragment: TEXT or BINARY with FIN clear. */
    static Frame first(int opcode, byte[] payload) {
        return new Frame(false, 0, opcode, payload);
    }

    static Frame continuation(byte[] payload, boolean fin) {
        return new Frame(fin, 0, CONTINUATION, payload);
    }

    /** A close frame with a 2-byte status code and a reason given as raw bytes. */
    static Frame close(int code, byte[] reason) {
        byte[] body = new byte[2 + reason.length];
        body[0] = (byte) (code >>> 8);
        body[1] = (byte) code;
        System.arraycopy(reason, 0, body, 2, reason.length);
        return new Frame(true, 0, CLOSE, body);
    }

    static Frame close(int code) {
        return close(code, new byte[0]);
    }

    /** A close frame with no body at all. */
    static Frame closeEmpty() {
        return new Frame(true, 0, CLOSE, new byte[0]);
    }

    Frame withRsv(int bits) {
        return new Frame(fin, bits, opcode, payload);
    }

    Frame withFin(boolean flag) {
        return new Frame(flag, rsv, opcode, payload);
    }

    /**
     * The frame as a client sends it: always masked (RFC 6455 5.3), with the payload length in
     * its shortest form.
     */
    byte[] encode(int maskKey) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? B0_FLAG_FIN : 0) | rsv << 4 | opcode);
        long length = payload.length;
        if (length < LENGTH_16) {
            out.write(B1_FLAG_MASK | (int) length);
        } else if (length <= 0xffff) {
            out.write(B1_FLAG_MASK | LENGTH_16);
            writeBigEndian(out, length, 2);
        } else {
            out.write(B1_FLAG_MASK | LENGTH_64);
            writeBigEndian(out, length, 8);
        }
        writeBigEndian(out, maskKey & 0xffffffffL, 4);
        byte[] key = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < masked.length; i++) {
            masked[i] = (byte) (payload[i] ^ key[i & 3]);
        }
        out.writeBytes(masked);
        return out.toByteArray();
    }

    /** Bytes before the payload in {@link #encode}: 2, length extension, 4 of key. */
    int headerLength() {
        return 2 + (payload.length < LENGTH_16 ? 0 : payload.length <= 0xffff ? 2 : 8) + 4;
    }

    private static void writeBigEndian(ByteArrayOutputStream out, long value, int bytes) {
        for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift) & 0xff);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Frame[fin=" + fin + ", rsv=" + rsv + ", opcode=" + opcode + ", " + payload.length + " bytes]";
    }
}
