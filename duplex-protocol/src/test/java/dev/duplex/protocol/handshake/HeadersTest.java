package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header multimap: order, case-insensitive names, and the values it refuses. */
class HeadersTest {

    @Test
    void lookupsIgnoreCaseAndKeepOrder() {
        Headers h = Headers.builder().add("Set-Cookie", "a").add("Host", "h").add("set-cookie", " b ").build();
        assertEquals(List.of("a", "b"), h.all("SET-COOKIE"));
        assertEquals(Optional.of("a"), h.first("set-cookie"));
        assertEquals(2, h.count("Set-Cookie"));
        assertEquals(0, h.count("Origin"));
        assertTrue(h.contains("HOST"));
        assertFalse(h.contains("Origin"));
        assertEquals(Optional.empty(), h.first("Origin"));
        List<String> names = new ArrayList<>();
        for (Headers.Field f : h) names.add(f.name());
        assertEquals(List.of("Set-Cookie", "Host", "set-cookie"), names);
    }

    @Test
    void equalityIgnoresNameCaseButNotOrderOrValues() {
        Headers a = Headers.builder().add("Host", "h").add("X", "1").build();
        assertEquals(a, Headers.builder().add("host", "h").add("x", "1").build());
        assertEquals(a.hashCode(), Headers.builder().add("host", "h").add("x", "1").build().hashCode());
        assertFalse(a.equals(Headers.builder().add("X", "1").add("Host", "h").build()));
        assertFalse(a.equals(Headers.builder().add("Host", "H").add("X", "1").build()));
    }

    @Test
    void toStringShowsNamesNotValues() {
        Headers h = Headers.builder().add("Cookie", "session=secret").build();
        assertEquals("Headers[Cookie]", h.toString());
        assertFalse(h.fields().get(0).toString().contains("secret"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "Bad:Name", "B\u00e9", "X\r\nY"})
    void namesMustBeTokens(String name) {
        assertThrows(IllegalArgumentException.class, () -> Headers.builder().add(name, "v"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nX-Injected: 1", "a\nb", "a\rb", "a\u0000", "a\u007f", "\u0100", "\u20ac"})
    void valuesMayNotSplitTheHeadOrLeaveIso88591(String value) {
        assertThrows(IllegalArgumentException.class, () -> Headers.builder().add("X", value));
    }

    @Test
    void builderRemoveAndToBuilder() {
        Headers h = Headers.builder().add("A", "1").add("B", "2").add("a", "3").build();
        assertEquals(List.of("B"), h.toBuilder().remove("A").build().fields().stream().map(Headers.Field::name).toList());
        assertEquals(3, h.size());
        assertTrue(Headers.empty().isEmpty());
    }
}
