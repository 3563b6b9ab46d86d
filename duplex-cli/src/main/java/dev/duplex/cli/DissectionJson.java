package dev.duplex.cli;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Utf8Validator;
import dev.duplex.protocol.frame.Opcode;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.inspect.Dissection;
import dev.duplex.protocol.inspect.Violation;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A dissection as one line of JSON, for {@code trace --json} and {@code decode --json}. Field
 * names are snake_case and stable; bytes are lowercase hex; text appears next to the hex only
 * when it is valid UTF-8.
 *
 * <pre>
 * {"type":"frame","time":"...","conn":1,"dir":"client->server","fin":true,"rsv1":false,...,
 *  "opcode":1,"opcode_name":"TEXT","masked":true,"mask_key":"37fa213d","length":5,
 *  "length_bits":7,"payload_hex":"48656c6c6f","payload_text":"Hello",...,"violations":[]}
 * </pre>
 */
final class DissectionJson {
    private static final HexFormat HEX = HexFormat.of();

    private DissectionJson() {}

    /**
     * @param time when the bytes passed, or null (decode has no time)
     * @param connection the relay's connection id, or 0 for none
     */
    static String of(Dissection d, Instant time, long connection) {
        JsonWriter json = JsonWriter.object();
        json.string("type", switch (d) {
            case Dissection.Head h -> "http";
            case Dissection.Frame f -> "frame";
            case Dissection.Skipped s -> "skipped";
            case Dissection.Note n -> "note";
        });
        if (time != null) {
            json.string("time", time.toString());
        }
        if (connection > 0) {
            json.number("conn", connection);
        }
        json.string("dir", d.direction().label());
        switch (d) {
            case Dissection.Head head -> head(json, head);
            case Dissection.Frame frame -> frame(json, frame);
            case Dissection.Skipped skipped -> json.number("length", skipped.length()).string("what", skipped.what());
            case Dissection.Note note -> json.string("text", note.text());
        }
        return json.raw("violations", violations(d.violations())).toString();
    }

    /** An event of the relay itself, such as a connection opening or closing. */
    static JsonWriter event(String type, Instant time, long connection) {
        return JsonWriter.object().string("type", type).string("time", time.toString()).number("conn", connection);
    }

    private static void head(JsonWriter json, Dissection.Head head) {
        json.string("start_line", head.startLine());
        List<String> fields = head.headers().fields().stream()
                .map((Headers.Field f) -> JsonWriter.strings(List.of(f.name(), f.value())))
                .toList();
        json.raw("headers", JsonWriter.array(fields));
        json.raw("notes", JsonWriter.strings(head.notes()));
    }

    private static void frame(JsonWriter json, Dissection.Frame f) {
        json.bool("fin", f.fin())
                .bool("rsv1", (f.rsv() & 0x40) != 0)
                .bool("rsv2", (f.rsv() & 0x20) != 0)
                .bool("rsv3", (f.rsv() & 0x10) != 0)
                .number("opcode", f.opcode())
                .string("opcode_name", f.opcodeName())
                .bool("masked", f.masked())
                .string("mask_key", f.masked() ? HEX.toHexDigits(f.maskingKey()) : null)
                .number("length", f.payloadLength())
                .number("length_bits", f.lengthBits())
                .string("message", f.messageType() == null ? null : f.messageType().name().toLowerCase(Locale.ROOT))
                .number("fragment", f.fragment())
                .bool("compressed", f.compressed())
                .string("payload_hex", HEX.formatHex(f.payload()))
                .bool("payload_cut", f.payloadCut());
        if (f.payloadIsText()) {
            String text = text(f.payload(), f.payloadCut() || !f.fin());
            if (text != null) {
                json.string("payload_text", text);
            }
        }
        if (f.inflated() != null) {
            json.number("inflated_length", f.inflatedLength())
                    .string("inflated_hex", HEX.formatHex(f.inflated()))
                    .bool("inflated_cut", f.inflatedCut());
            if (f.messageType() == Opcode.TEXT) {
                String text = text(f.inflated(), f.inflatedCut() || !f.fin());
                if (text != null) {
                    json.string("inflated_text", text);
                }
            }
        }
        if (f.opcode() == Opcode.CLOSE.code() && f.closeCode() >= 0) {
            json.number("close_code", f.closeCode())
                    .string("close_name", CloseStatus.nameOf(f.closeCode()))
                    .string("close_reason", f.closeReason());
        }
    }

    /**
     * The bytes as text when they are valid UTF-8; a code point cut off at the end of bytes that
     * may continue ({@code mayContinue}) is left out. Null when the bytes are not text.
     */
    static String text(byte[] bytes, boolean mayContinue) {
        Utf8Validator validator = new Utf8Validator();
        if (validator.update(bytes, 0, bytes.length) >= 0) {
            return null;
        }
        int end = bytes.length;
        if (!validator.isComplete()) {
            if (!mayContinue) {
                return null;
            }
            while ((bytes[end - 1] & 0xc0) == 0x80) {
                end--; // back to the lead byte of the unfinished code point
            }
            end--;
        }
        return Utf8Validator.decode(bytes, 0, end);
    }

    private static String violations(List<Violation> violations) {
        return JsonWriter.array(violations.stream().map(v -> JsonWriter.object()
                .string("rule", v.rule())
                .string("problem", v.problem())
                .string("remedy", v.remedy())
                .number("close_code", v.closeCode())
                .toString()).toList());
    }
}
