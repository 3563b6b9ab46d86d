package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON that {@code --json} and the chat room write: escaping, and text next to hex. */
class TraceJsonWriterTest {
    @Test
    void everyStringRoundTripsThroughAJsonReader() {
        String nasty = "quote\" backslash\\ nl\n cr\r tab\t nul\u0000 esc\u001b del\u007f ls\u2028 ps\u2029 é ✓ 😀";
        String json = JsonWriter.object().string("s", nasty).toString();
        assertEquals(nasty, TraceJson.object(json).get("s"));
        assertEquals(-1, json.indexOf('\n'), "one object stays on one line");
        assertEquals(-1, json.indexOf('\u2028'), "safe inside a script too");
    }

    @Test
    void loneSurrogatesAreEscapedNotReplaced() {
        assertEquals("\"a\\ud800b\\udc00\"", JsonWriter.quote("a\ud800b\udc00"));
        assertEquals("\"\ud83d\ude00\"", JsonWriter.quote("\ud83d\ude00"), "a pair stays as it is");
    }

    @Test
    void fieldsOfEveryKindAndNesting() {
        String json = JsonWriter.object().string("a", null).number("n", -5).bool("b", true)
                .raw("list", JsonWriter.strings(List.of("x", "y"))).raw("o", JsonWriter.object().toString()).toString();
        assertEquals("{\"a\":null,\"n\":-5,\"b\":true,\"list\":[\"x\",\"y\"],\"o\":{}}", json);
        Map<String, Object> read = TraceJson.object(json);
        assertNull(read.get("a"));
        assertEquals(List.of("x", "y"), read.get("list"));
    }

    @Test
    void payloadTextIsGivenOnlyForValidUtf8AndAllowsACodePointCutAtTheEnd() {
        assertEquals("é", DissectionJson.text(new byte[] {(byte) 0xc3, (byte) 0xa9}, false));
        assertNull(DissectionJson.text(new byte[] {'a', (byte) 0xff}, true), "bad byte");
        assertEquals("a", DissectionJson.text(new byte[] {'a', (byte) 0xe2, (byte) 0x9c}, true), "cut mid code point");
        assertNull(DissectionJson.text(new byte[] {'a', (byte) 0xe2, (byte) 0x9c}, false), "a finished message may not end so");
    }
}
