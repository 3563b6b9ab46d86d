package dev.duplex.protocol.frame;

/** Frame opcodes (RFC 6455 5.2, 11.8). Opcodes 3–7 and 0xB–0xF are reserved and have no constant. */
public enum Opcode {
    CONTINUATION(0x0),
    TEXT(0x1),
    BINARY(0x2),
    CLOSE(0x8),
    PING(0x9),
    PONG(0xA);

    private static final Opcode[] BY_CODE = new Opcode[16];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The four-bit value on the wire. */
    public int code() {
        return code;
    }

    /** Close, ping and pong: at most 125 bytes and never fragmented (RFC 6455 5.5). */
    public boolean isControl() {
        return (code & 0x8) != 0;
    }

    /** The opcode for a four-bit value, or null when the value is reserved. */
    public static Opcode of(int code) {
        return BY_CODE[code & 0xf];
    }
}
