package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Client frames for the catalogue rows, laid out by {@link RawPeer#frame} (masked, by hand)
 * and joined, plus what the server should send back. Not Duplex's encoder.
 */
final class Frames {
    private Frames() {}

    static byte[] text(String text) {
        return RawPeer.frame(true, 0, RawPeer.TEXT, text.getBytes(UTF_8), true);
    }

    static byte[] frame(boolean fin, int rsvBits, int opcode, byte[] payload) {
        return RawPeer.frame(fin, rsvBits, opcode, payload, true);
    }

    static byte[] close(int code, byte[] reason) {
        byte[] body = new byte[2 + reason.length];
        body[0] = (byte) (code >>> 8);
        body[1] = (byte) code;
        System.arraycopy(reason, 0, body, 2, reason.length);
        return frame(true, 0, RawPeer.CLOSE, body);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** What the server sends back for a text message. */
    static RawPeer.Frame echoOf(String text) {
        return new RawPeer.Frame(true, RawPeer.TEXT, text.getBytes(UTF_8));
    }

    static RawPeer.Frame echoOf(int opcode, byte[] payload) {
        return new RawPeer.Frame(true, opcode, payload);
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** RFC 7692 7.2.1: raw DEFLATE, sync-flushed, with the trailing 00 00 ff ff removed. */
    static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            byte[] out = new byte[data.length / 100 + 4096];
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int n;
            while ((n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH)) > 0) {
                all.write(out, 0, n);
                if (n < out.length) {
                    break;
                }
            }
            byte[] bytes = all.toByteArray();
            return Arrays.copyOf(bytes, bytes.length - 4);
        } finally {
            deflater.end();
        }
    }
}
