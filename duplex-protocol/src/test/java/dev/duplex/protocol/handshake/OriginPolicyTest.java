package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Origin checking (RFC 6455 10.2, RFC 6454; rows A8, A9): exact serialised-origin equality. */
class OriginPolicyTest {

    static HttpRequest request(String host, String... origins) {
        Headers.Builder h = Headers.builder();
        if (host != null) h.add("Host", host);
        for (String o : origins) h.add("Origin", o);
        return new HttpRequest("GET", "/", "HTTP/1.1", h.build());
    }

    @ParameterizedTest(name = "Host {0}, Origin {1}")
    @CsvSource({
        "example.com,        http://example.com",
        "example.com,        https://example.com",
        "example.com,        http://example.com:80",
        "example.com,        https://example.com:443",
        "example.com,        HTTP://EXAMPLE.COM",
        "Example.COM,        http://example.com",
        "example.com:8080,   http://example.com:8080",
        "example.com:8080,   https://example.com:8080",
        "example.com:443,    https://example.com",
        "example.com:80,     http://example.com",
        "127.0.0.1:9000,     http://127.0.0.1:9000",
        "[::1]:9000,         http://[::1]:9000",
        "[::1],              https://[::1]",
    })
    void sameOriginIsAllowed(String host, String origin) {
        assertTrue(OriginPolicy.sameOrigin().allows(request(host, origin)));
    }

    @ParameterizedTest(name = "Host {0}, Origin {1}")
    @CsvSource({
        "example.com,        http://example.com:8080",
        "example.com,        https://example.com:80",
        "example.com:8080,   http://example.com",
        "example.com:80,     https://example.com",
        "example.com:443,    http://example.com",
        "example.com,        ws://example.com",
        "example.com,        file://example.com",
        "example.com,        http://example.com.evil.com",
        "example.com,        http://evil.com.example.com",
        "example.com,        http://evilexample.com",
        "example.com,        http://example.co",
        "example.com,        http://example.com.",
        "example.com,        http://example.com@evil.com",
        "example.com,        http://evil.com#@example.com",
        "example.com,        http://evil.com/http://example.com",
        "example.com,        http://example.com/",
        "example.com,        http://example.com/chat",
        "example.com,        http://example.com?x",
        "example.com,        http://example.com:",
        "example.com,        http://example.com:99999",
        "example.com,        http://user@example.com",
        "example.com,        http://ex%61mple.com",
        "example.com,        example.com",
        "example.com,        //example.com",
        "example.com,        http:example.com",
        "example.com,        http://",
        "example.com,        http://example.com http://example.com",
        "example.com,        null",
        "[::1]:9000,         http://[::2]:9000",
    })
    void anythingElseIsRefused(String host, String origin) {
        assertFalse(OriginPolicy.sameOrigin().allows(request(host, origin)));
    }

    @Test
    void noOriginIsAllowed() {
        // Row A9: non-browser clients send none, and absence proves nothing.
        assertTrue(OriginPolicy.sameOrigin().allows(request("example.com")));
        assertTrue(OriginPolicy.allowing(List.of("https://a.example")).allows(request("example.com")));
    }

    @Test
    void severalOriginsAreRefusedEvenWhenEachIsAllowed() {
        assertFalse(OriginPolicy.sameOrigin().allows(request("example.com", "http://example.com", "http://example.com")));
        assertFalse(OriginPolicy.allowing(List.of("https://a.example"))
                .allows(request("example.com", "https://a.example", "http://example.com")));
    }

    @Test
    void nullOriginOnlyWhenListedExactly() {
        assertFalse(OriginPolicy.sameOrigin().allows(request("example.com", "null")));
        OriginPolicy withNull = OriginPolicy.allowing(List.of("null"));
        assertTrue(withNull.allows(request("example.com", "null")));
        assertFalse(withNull.allows(request("example.com", "Null")));
        assertFalse(withNull.allows(request("example.com", "https://evil.example")));
    }

    @Test
    void allowlistComparesSerialisedOriginsExactly() {
        OriginPolicy policy = OriginPolicy.allowing(List.of("https://App.Example.org", "http://localhost:3000"));
        assertTrue(policy.allows(request("api.example.net", "https://app.example.org")));
        assertTrue(policy.allows(request("api.example.net", "https://app.example.org:443")));
        assertTrue(policy.allows(request("api.example.net", "HTTPS://APP.EXAMPLE.ORG")));
        assertTrue(policy.allows(request("api.example.net", "http://localhost:3000")));
        assertTrue(policy.allows(request("api.example.net", "https://api.example.net")), "same origin still allowed");
        assertFalse(policy.allows(request("api.example.net", "http://app.example.org")), "scheme differs");
        assertFalse(policy.allows(request("api.example.net", "https://app.example.org:8443")), "port differs");
        assertFalse(policy.allows(request("api.example.net", "https://app.example.org.evil.com")));
        assertFalse(policy.allows(request("api.example.net", "https://evilapp.example.org")));
        assertFalse(policy.allows(request("api.example.net", "https://example.org")));
        assertFalse(policy.allows(request("api.example.net", "http://localhost:30000")));
        assertFalse(policy.allows(request("api.example.net", "http://localhost")));
    }

    @Test
    void allowlistEntriesWithNonOriginSchemesMatchExactly() {
        OriginPolicy policy = OriginPolicy.allowing(List.of("chrome-extension://abcdef"));
        assertTrue(policy.allows(request("example.com", "chrome-extension://abcdef")));
        assertFalse(policy.allows(request("example.com", "chrome-extension://abcdefg")));
    }

    @Test
    void withoutOneValidHostOnlyTheAllowlistApplies() {
        OriginPolicy policy = OriginPolicy.allowing(List.of("https://a.example"));
        assertFalse(policy.allows(request(null, "http://example.com")));
        assertTrue(policy.allows(request(null, "https://a.example")));
        Headers twoHosts = Headers.builder().add("Host", "example.com").add("Host", "example.com")
                .add("Origin", "http://example.com").build();
        assertFalse(OriginPolicy.sameOrigin().allows(new HttpRequest("GET", "/", "HTTP/1.1", twoHosts)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://a.example/", "https://a.example/path", "a.example", "*", "", "https://*.example",
        "https://a.example:", "NULL", "https://user@a.example"})
    void allowlistEntriesMustBeSerialisedOrigins(String entry) {
        assertThrows(IllegalArgumentException.class, () -> OriginPolicy.allowing(List.of(entry)));
    }

    @Test
    void anyAllowsEverything() {
        OriginPolicy any = OriginPolicy.any();
        assertTrue(any.allows(request("example.com", "https://evil.example")));
        assertTrue(any.allows(request("example.com", "null")));
        assertTrue(any.allows(request("example.com", "a", "b")));
    }
}
