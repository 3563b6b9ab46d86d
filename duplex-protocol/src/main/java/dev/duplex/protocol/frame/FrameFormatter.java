package dev.duplex.protocol.frame;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Utf8Validator;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.inspect.Dissection;
import dev.duplex.protocol.inspect.Violation;
import java.util.HexFormat;

/**
 * The human-readable dump of what a dissector found, as {@code duplex trace}, {@code duplex
 * decode} and {@code duplex connect --frames} print it: one header line per frame with every
 * field a packet analyser shows (FIN, RSV1–3, opcode, MASK, key, length and which length field
 * carried it), then indented lines for the payload, the inflated message, the close status and
 * any violation.
 *
 * <pre>
 * client-&gt;server TEXT (0x1) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=1 key=37fa213d length=5 (7-bit)
 *     text: "Hello"
 * </pre>
 *
 * <p>Payloads come from the network, so nothing is printed raw that a terminal would act on:
 * control characters (ESC above all), C1 controls, line and paragraph separators and bidi
 * overrides are escaped, and bytes that are not UTF-8 are shown as {@code \xNN}. Stateless and
 * thread-safe.
 */
public final class FrameFormatter {
    private static final HexFormat HEX = HexFormat.of();
    /** Binary payloads up to this many bytes fit on the frame's own line; longer ones get a dump. */
    private static final int INLINE_HEX = 32;
    private static final String INDENT = "    ";

    private FrameFormatter() {}

    /**
     * The lines for one dissection, each ending in a newline.
     *
     * @param prefix put before the first line, such as a time and connection id
     *     ({@code "12:00:01.123 #1 "}); may be empty
     */
    public static String format(String prefix, Dissection dissection) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(prefix).append(dissection.direction().label()).append(' ');
        switch (dissection) {
            case Dissection.Head head -> head(sb, head);
            case Dissection.Frame frame -> frame(sb, frame);
            case Dissection.Skipped skipped -> sb.append(skipped.length()).append(" bytes not dissected: ")
                    .append(skipped.what()).append('\n');
            case Dissection.Note note -> sb.append(escapeText(note.text())).append('\n');
        }
        for (Violation v : dissection.violations()) {
            sb.append(INDENT).append("! VIOLATION ").append(escapeText(v.toString())).append('\n');
        }
        return sb.toString();
    }

    private static void head(StringBuilder sb, Dissection.Head head) {
        sb.append(head.startLine().startsWith("HTTP/") ? "HTTP response" : "HTTP request").append('\n');
        sb.append(INDENT).append(escapeText(head.startLine())).append('\n');
        Headers headers = head.headers();
        for (Headers.Field field : headers) {
            sb.append(INDENT).append(field.name()).append(": ").append(escapeText(field.value())).append('\n');
        }
        for (String note : head.notes()) {
            sb.append(INDENT).append("= ").append(escapeText(note)).append('\n');
        }
    }

    private static void frame(StringBuilder sb, Dissection.Frame f) {
        sb.append(f.opcodeName()).append(" (0x").append(Integer.toHexString(f.opcode())).append(')')
                .append(" FIN=").append(f.fin() ? 1 : 0)
                .append(" RSV1=").append((f.rsv() & 0x40) != 0 ? 1 : 0)
                .append(" RSV2=").append((f.rsv() & 0x20) != 0 ? 1 : 0)
                .append(" RSV3=").append((f.rsv() & 0x10) != 0 ? 1 : 0)
                .append(" MASK=").append(f.masked() ? 1 : 0);
        if (f.masked()) {
            sb.append(" key=").append(HEX.toHexDigits(f.maskingKey()));
        }
        sb.append(" length=").append(f.payloadLength()).append(" (").append(f.lengthBits()).append("-bit)");
        fragmentation(sb, f);
        sb.append('\n');

        if (f.opcode() == Opcode.CLOSE.code()) {
            close(sb, f);
        } else if (f.compressed()) {
            if (f.payloadLength() > 0) {
                bytes(sb, "compressed", f.payload(), f.payloadLength(), false);
            }
            if (f.inflated() == null) {
                sb.append(INDENT).append("not inflated\n");
            } else if (f.inflatedLength() > 0 || f.fin()) {
                bytes(sb, "inflated", f.inflated(), f.inflatedLength(), f.messageType() == Opcode.TEXT);
            }
        } else if (f.payloadLength() > 0) {
            boolean text = f.payloadIsText() || isControlText(f);
            bytes(sb, text ? "text" : "payload", f.payload(), f.payloadLength(), text);
        }
    }

    /** Where a data frame stands in its message, when the message spans frames. */
    private static void fragmentation(StringBuilder sb, Dissection.Frame f) {
        if (f.compressed() && f.fragment() == 1) {
            sb.append(", compressed");
        }
        if (f.fragment() == 0 || (f.fragment() == 1 && f.fin())) {
            return;
        }
        sb.append(", frame ").append(f.fragment()).append(" of ");
        if (f.fragment() == 1) {
            sb.append("a fragmented ").append(f.messageType()).append(" message");
        } else {
            sb.append("the ").append(f.messageType()).append(" message").append(f.fin() ? ", its last" : "");
        }
    }

    private static void close(StringBuilder sb, Dissection.Frame f) {
        byte[] body = f.payload();
        sb.append(INDENT);
        if (f.payloadLength() == 0) {
            sb.append("close with no status code (reported as 1005, no status received)\n");
            return;
        }
        if (body.length < 2) {
            sb.append("close body too short for a status code: ").append(HEX.formatHex(body)).append('\n');
            return;
        }
        int code = (body[0] & 0xff) << 8 | (body[1] & 0xff);
        sb.append("close ").append(code).append(" (").append(CloseStatus.nameOf(code)).append(')');
        if (f.closeReason() != null) {
            sb.append(f.closeReason().isEmpty() ? ", no reason" : ", reason \"" + escapeText(f.closeReason()) + "\"");
        } else if (body.length > 2) {
            sb.append(", reason bytes ").append(escapeBytes(body, 2, body.length - 2));
        }
        sb.append('\n');
    }

    /** Pings and pongs carry bytes; they are shown as text when they are readable UTF-8. */
    private static boolean isControlText(Dissection.Frame f) {
        Opcode op = Opcode.of(f.opcode());
        return op != null && op.isControl() && Utf8Validator.isValid(f.payload(), 0, f.payload().length)
                && printable(f.payload());
    }

    private static boolean printable(byte[] bytes) {
        for (byte b : bytes) {
            if ((b >= 0 && b < 0x20) || b == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static void bytes(StringBuilder sb, String label, byte[] shown, long total, boolean text) {
        sb.append(INDENT).append(label);
        if (shown.length < total) {
            sb.append(" (first ").append(shown.length).append(" of ").append(total).append(" bytes)");
        } else if (!label.equals("text") && !label.equals("payload")) {
            sb.append(" (").append(total).append(total == 1 ? " byte)" : " bytes)");
        }
        sb.append(':');
        if (text) {
            sb.append(" \"").append(escapeBytes(shown, 0, shown.length)).append('"');
            if (shown.length < total) {
                sb.append("...");
            }
            sb.append('\n');
        } else if (shown.length <= INLINE_HEX) {
            sb.append(' ').append(HEX.withDelimiter(" ").formatHex(shown)).append(shown.length < total ? " ...\n" : "\n");
        } else {
            sb.append('\n');
            hexDump(sb, shown, INDENT + "  ");
            if (shown.length < total) {
                sb.append(INDENT).append("  ...\n");
            }
        }
    }

    /**
     * A classic hex dump: offset, 16 bytes in two groups of 8, and the printable ASCII.
     *
     * <pre>
     * 0000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 00 01  |Hello, world!...|
     * </pre>
     */
    public static String hexDump(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        hexDump(sb, bytes, "");
        return sb.toString();
    }

    private static void hexDump(StringBuilder sb, byte[] bytes, String indent) {
        for (int row = 0; row < bytes.length; row += 16) {
            sb.append(indent).append(String.format("%04x ", row));
            for (int i = row; i < row + 16; i++) {
                sb.append(i == row + 8 ? "  " : " ");
                sb.append(i < bytes.length ? HEX.toHexDigits(bytes[i]) : "  ");
            }
            sb.append("  |");
            for (int i = row; i < Math.min(row + 16, bytes.length); i++) {
                int c = bytes[i] & 0xff;
                sb.append(c >= 0x20 && c < 0x7f ? (char) c : '.');
            }
            sb.append("|\n");
        }
    }

    /**
     * Bytes as text with escapes: valid UTF-8 shown as its characters, except those a terminal
     * would act on or that hide what follows, which are escaped ({@code \n}, {@code \t},
     * {@code \u001b}, {@code \u202e}); quote and backslash are escaped; a byte that is not
     * part of valid UTF-8 is shown as {@code \xNN}.
     */
    public static String escapeBytes(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length + 8);
        int i = offset;
        int end = offset + length;
        while (i < end) {
            int b = bytes[i] & 0xff;
            int n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
            if (n == 0 || i + n > end || !Utf8Validator.isValid(bytes, i, n)) {
                sb.append("\\x").append(HEX.toHexDigits((byte) b));
                i++;
                continue;
            }
            int cp = Utf8Validator.decode(bytes, i, n).codePointAt(0);
            appendEscaped(sb, cp);
            i += n;
        }
        return sb.toString();
    }

    /** A string with the same escapes as {@link #escapeBytes}, for header values and reasons. */
    public static String escapeText(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> appendEscaped(sb, cp));
        return sb.toString();
    }

    private static void appendEscaped(StringBuilder sb, int cp) {
        switch (cp) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            default -> {
                if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029
                        || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
                        || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfeff) {
                    sb.append(String.format("\\u%04x", cp));
                } else {
                    sb.appendCodePoint(cp);
                }
            }
        }
    }
}
