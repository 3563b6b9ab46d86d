package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HeaderTokens;
import dev.duplex.protocol.handshake.Headers;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * The parsers of list-valued handshake fields fed arbitrary values (rows A5, A12, A13):
 * {@link HeaderTokens#tokenList} ({@code Connection}), {@link HeaderTokens#subprotocols},
 * {@link HeaderTokens#extensions} and {@link DeflateParameters#parse}. For every value:
 * <ul>
 *   <li>the only exceptions are {@link HandshakeException} with 400, and for
 *       {@code DeflateParameters.parse} its {@link MalformedExtensionException};
 *   <li>{@code tokenList} agrees with a plain reading of RFC 9110 5.6.1 written here (split at
 *       commas, trim, skip empty elements, each other element one token);
 *   <li>what {@code extensions} returns is made of tokens (a parameter named twice is kept for
 *       the extension to judge, row A13), and for a value that is a single {@code permessage-deflate} element (no comma)
 *       {@code DeflateParameters.of} of its parameters agrees with {@code DeflateParameters.parse};
 *   <li>time is linear: with the stretch option one character is repeated 100,000 times, which
 *       quadratic work (a backtracking pattern like the one behind CVE-2021-32640) could not
 *       get through within the per-input timeout.
 * </ul>
 *
 * <p>Input layout: the stretch option and two bytes of index
 * ({@link HttpHeadParserFuzzTest#stretch}), then the value as ISO-8859-1 bytes, as the head
 * parser would hand it over.
 */
class HeaderValueFuzzTest {
    private static final String TCHARS = "!#$%&'*+-.^_`|~";

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void listParsersAcceptTokensAndRefuseTheRestWith400(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int stretch = input.nextByte();
        int index = input.nextByte() << 8 | input.nextByte();
        String value = new String(HttpHeadParserFuzzTest.stretch(input.rest(), stretch, index), ISO_8859_1);

        List<String> tokens = tokenListOrNull(value);
        assertEquals(referenceTokenList(value), tokens, "tokenList against the plain reading of #token");

        Headers headers;
        try {
            headers = Headers.builder()
                    .add("Sec-WebSocket-Protocol", value)
                    .add("Sec-WebSocket-Extensions", value)
                    .build();
        } catch (IllegalArgumentException notFieldContent) {
            headers = null; // a byte the head parser would have refused: no field to parse
        }
        if (headers != null) {
            List<String> protocols = subprotocolsOrNull(headers);
            // Trimming the value as a header field does changes nothing for a list.
            assertEquals(tokens, protocols, "subprotocols against tokenList");
            List<ExtensionOffer> offers = extensionsOrNull(headers);
            if (offers != null) {
                offers.forEach(HeaderValueFuzzTest::checkOffer);
                // parse() reads one element; a value with commas is a list, even ",x" with its empty first element.
                if (offers.size() == 1 && offers.getFirst().name().equals("permessage-deflate") && value.indexOf(',') < 0) {
                    assertEquals(deflateOf(offers.getFirst()), deflateParse(headers.first("Sec-WebSocket-Extensions").orElseThrow()),
                            "DeflateParameters.of(extensions) against DeflateParameters.parse");
                }
            }
        }
        deflateParse(value); // only MalformedExtensionException may come out
    }

    /** RFC 9110 5.6.1 #token read plainly: elements split at commas, OWS trimmed, empties skipped. */
    static List<String> referenceTokenList(String value) {
        List<String> out = new ArrayList<>();
        for (String element : value.split(",", -1)) {
            String trimmed = trimOws(element);
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!isToken(trimmed)) {
                return null;
            }
            out.add(trimmed);
        }
        return out;
    }

    private static List<String> tokenListOrNull(String value) {
        try {
            return HeaderTokens.tokenList(value);
        } catch (HandshakeException e) {
            assertEquals(400, e.status());
            return null;
        }
    }

    private static List<String> subprotocolsOrNull(Headers headers) {
        try {
            return HeaderTokens.subprotocols(headers);
        } catch (HandshakeException e) {
            assertEquals(400, e.status());
            return null;
        }
    }

    private static List<ExtensionOffer> extensionsOrNull(Headers headers) {
        try {
            return HeaderTokens.extensions(headers);
        } catch (HandshakeException e) {
            assertEquals(400, e.status());
            return null;
        }
    }

    private static void checkOffer(ExtensionOffer offer) {
        assertTrue(isToken(offer.name()), () -> "extension name is not a token: " + offer.name());
        for (ExtensionParameter p : offer.params()) {
            assertTrue(isToken(p.name()), () -> "parameter name is not a token: " + p.name());
            assertTrue(p.value() == null || isToken(p.value()), () -> "parameter value is not a token: " + p.value());
        }
    }

    /** The parameters, or the string "malformed". */
    private static Object deflateOf(ExtensionOffer offer) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (ExtensionParameter p : offer.params()) {
            params.add(new AbstractMap.SimpleImmutableEntry<>(p.name(), p.value()));
        }
        try {
            return DeflateParameters.of(params);
        } catch (MalformedExtensionException e) {
            return "malformed";
        }
    }

    /** The parameters, or the string "malformed". */
    private static Object deflateParse(String element) {
        try {
            return DeflateParameters.parse(element);
        } catch (MalformedExtensionException e) {
            return "malformed";
        }
    }

    private static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) start++;
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) end--;
        return s.substring(start, end);
    }

    /** RFC 9110 5.6.2: token = 1*tchar. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && TCHARS.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}
