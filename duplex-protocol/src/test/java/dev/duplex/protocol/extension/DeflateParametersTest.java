package dev.duplex.protocol.extension;

import static dev.duplex.protocol.extension.DeflateParameters.ABSENT;
import static dev.duplex.protocol.extension.DeflateParameters.WITHOUT_VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7692 7.1 parameters, and row A13: hostile Sec-WebSocket-Extensions elements. */
class DeflateParametersTest {

    @Test
    void s7_1_eachParameterIsRead() {
        assertEquals(new DeflateParameters(false, false, ABSENT, ABSENT), DeflateParameters.parse("permessage-deflate"));
        assertEquals(new DeflateParameters(true, false, ABSENT, ABSENT),
                DeflateParameters.parse("permessage-deflate; server_no_context_takeover"));
        assertEquals(new DeflateParameters(false, true, ABSENT, ABSENT),
                DeflateParameters.parse("permessage-deflate; client_no_context_takeover"));
        assertEquals(new DeflateParameters(false, false, 10, ABSENT),
                DeflateParameters.parse("permessage-deflate; server_max_window_bits=10"));
        assertEquals(new DeflateParameters(false, false, ABSENT, WITHOUT_VALUE),
                DeflateParameters.parse("permessage-deflate; client_max_window_bits"));
        assertEquals(new DeflateParameters(false, false, ABSENT, 8),
                DeflateParameters.parse("permessage-deflate; client_max_window_bits=8"));
    }

    @Test
    void s7_1_allTogetherInAnyOrderWithWhitespaceAndQuotes() {
        DeflateParameters expected = new DeflateParameters(true, true, 12, 15);
        assertEquals(expected, DeflateParameters.parse(
                "permessage-deflate;client_max_window_bits=15;server_max_window_bits=12;"
                        + "client_no_context_takeover;server_no_context_takeover"));
        // RFC 6455 9.1: a value may be a quoted-string whose content is a token.
        assertEquals(expected, DeflateParameters.parse(
                " permessage-deflate ;\tserver_no_context_takeover ; client_no_context_takeover ;"
                        + " server_max_window_bits = \"12\" ; client_max_window_bits=\"1\\5\"  "));
    }

    @Test
    void formatWritesWhatParseReads() {
        DeflateParameters[] samples = {
            new DeflateParameters(false, false, ABSENT, ABSENT),
            new DeflateParameters(false, false, ABSENT, WITHOUT_VALUE),
            new DeflateParameters(true, true, 9, 11),
            new DeflateParameters(true, false, 15, ABSENT),
        };
        for (DeflateParameters p : samples) {
            assertEquals(p, DeflateParameters.parse(p.format()));
            assertEquals(p, DeflateParameters.of(p.parameters()));
        }
        assertEquals("permessage-deflate; client_max_window_bits",
                new DeflateParameters(false, false, ABSENT, WITHOUT_VALUE).format());
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                + " server_max_window_bits=9; client_max_window_bits=11", samples[2].format());
    }

    @Test
    void ofTakesNameAndValuePairsWithNullForNoValue() {
        List<Map.Entry<String, String>> params = List.of(
                new SimpleImmutableEntry<>("client_max_window_bits", null),
                new SimpleImmutableEntry<>("server_max_window_bits", "13"));
        assertEquals(new DeflateParameters(false, false, 13, WITHOUT_VALUE), DeflateParameters.of(params));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // A13: duplicates
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        // A13: unknown parameters, and names are case-sensitive
        "permessage-deflate; x_deflate",
        "permessage-deflate; Server_No_Context_Takeover",
        // A13: window bits outside 8..15, leading zeros, signs, non-digits, missing values
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=0",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; server_max_window_bits=+9",
        "permessage-deflate; server_max_window_bits=-9",
        "permessage-deflate; server_max_window_bits=9a",
        "permessage-deflate; server_max_window_bits=4294967305",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=\"\"",
        "permessage-deflate; client_max_window_bits=\" 9\"",
        // values on parameters that take none
        "permessage-deflate; server_no_context_takeover=true",
        "permessage-deflate; client_no_context_takeover=\"x\"",
        // A13: syntax: unclosed quotes, stray separators, another element, another extension
        "permessage-deflate; server_max_window_bits=\"10",
        "permessage-deflate; server_max_window_bits=\"10\\",
        "permessage-deflate;",
        "permessage-deflate;; server_no_context_takeover",
        "permessage-deflate server_no_context_takeover",
        "permessage-deflate; server_no_context_takeover, permessage-deflate",
        "permessage-deflate; server_max_window_bits=10=11",
        "x-webkit-deflate-frame",
        "; server_no_context_takeover",
        "",
    })
    void A13_malformedElementsAreRejected(String element) {
        MalformedExtensionException e =
                assertThrows(MalformedExtensionException.class, () -> DeflateParameters.parse(element));
        assertFalse(e.getMessage().contains("4294967305"), "messages do not echo values");
    }

    @Test
    void A13_parsingIsLinearOnLongHostileInput() {
        // Half a megabyte of an unclosed quote and of repeated separators: each fails in one pass.
        String unclosed = "permessage-deflate; server_max_window_bits=\"" + "\\9".repeat(250_000);
        assertThrows(MalformedExtensionException.class, () -> DeflateParameters.parse(unclosed));
        String many = "permessage-deflate" + "; client_no_context_takeover".repeat(20_000);
        assertThrows(MalformedExtensionException.class, () -> DeflateParameters.parse(many));
    }

    @Test
    void constructorRejectsBadWindowsAsProgrammingErrors() {
        assertThrows(IllegalArgumentException.class, () -> new DeflateParameters(false, false, 16, ABSENT));
        assertThrows(IllegalArgumentException.class, () -> new DeflateParameters(false, false, WITHOUT_VALUE, ABSENT));
        assertThrows(IllegalArgumentException.class, () -> new DeflateParameters(false, false, ABSENT, 7));
        assertTrue(new DeflateParameters(false, false, 8, WITHOUT_VALUE).serverMaxWindowBits() == 8);
    }
}
