package dev.duplex.compliance.conformance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * One thing the server sent, as the test client saw it: a whole message (its frames joined), a
 * ping, a pong or a close frame. Compared by content, so a case can list the events it expects
 * and check them in order, as Autobahn compares its list of received events.
 */
final class Received {
    enum Kind { TEXT, BINARY, PING, PONG, CLOSE }

    private static final int SHOWN_BYTES = 32;

    private final Kind kind;
    private final byte[] payload;

    Received(Kind kind, byte[] payload) {
        this.kind = kind;
        this.payload = payload;
    }

    static Received text(String text) {
        return new Received(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    static Received text(byte[] utf8) {
        return new Received(Kind.TEXT, utf8);
    }

    static Received binary(byte[] data) {
        return new Received(Kind.BINARY, data);
    }

    static Received pong(byte[] payload) {
        return new Received(Kind.PONG, payload);
    }

    static Received pong(String payload) {
        return pong(payload.getBytes(StandardCharsets.UTF_8));
    }

    Kind kind() {
        return kind;
    }

    byte[] payload() {
        return payload;
    }

    /** A close frame's status code, or -1 when its body is empty. */
    int closeCode() {
        if (kind != Kind.CLOSE) {
            throw new IllegalStateException("not a close frame: " + this);
        }
        return payload.length < 2 ? -1 : (payload[0] & 0xff) << 8 | payload[1] & 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Received r && r.kind == kind && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(payload);
    }

    /** Short even for 16 MiB messages, so a failed comparison stays readable. */
    @Override
    public String toString() {
        String shown = HexFormat.ofDelimiter(" ").formatHex(payload, 0, Math.min(payload.length, SHOWN_BYTES));
        String more = payload.length > SHOWN_BYTES
                ? " ... (" + payload.length + " bytes, hash " + Integer.toHexString(Arrays.hashCode(payload)) + ")"
                : "";
        String code = kind == Kind.CLOSE && payload.length >= 2 ? " code " + closeCode() : "";
        return kind + code + " [" + shown + more + "]";
    }
}
