package dev.duplex.cli;

import java.util.List;

/**
 * Writes one JSON object (RFC 8259) field by field, for {@code --json} output and the chat
 * room's messages; no dependency needed for so little. Strings are escaped so that any Java
 * string, lone surrogates included, gives valid JSON that is also safe inside a script
 * (U+2028 and U+2029 are escaped). Not thread-safe; one writer per object.
 */
final class JsonWriter {
    private final StringBuilder sb = new StringBuilder(128).append('{');
    private boolean empty = true;

    private JsonWriter() {}

    /** An empty object to add fields to. */
    static JsonWriter object() {
        return new JsonWriter();
    }

    /** A string field; a null value writes {@code null}. */
    JsonWriter string(String name, String value) {
        return raw(name, value == null ? "null" : quote(value));
    }

    /** A number field. */
    JsonWriter number(String name, long value) {
        return raw(name, Long.toString(value));
    }

    /** A boolean field. */
    JsonWriter bool(String name, boolean value) {
        return raw(name, value ? "true" : "false");
    }

    /** A field whose value is already JSON: an object or array from this class. */
    JsonWriter raw(String name, String json) {
        if (!empty) {
            sb.append(',');
        }
        empty = false;
        sb.append(quote(name)).append(':').append(json);
        return this;
    }

    /** The object, closed; the writer must not be used afterwards. */
    @Override
    public String toString() {
        return sb.append('}').toString();
    }

    /** A JSON array of values that are already JSON. */
    static String array(List<String> jsonValues) {
        return "[" + String.join(",", jsonValues) + "]";
    }

    /** A JSON array of strings. */
    static String strings(List<String> values) {
        return array(values.stream().map(JsonWriter::quote).toList());
    }

    /** A JSON string literal, quotes included. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                            && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
                        loneSurrogate = false; // the second half of a pair
                    }
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
