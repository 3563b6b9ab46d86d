package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Row A20: the names a server answers to, which is what stops DNS rebinding. */
class HostPolicyTest {
    private static final HostPolicy LOOPBACK = HostPolicy.allowing(HostPolicy.LOOPBACK_NAMES);

    private static HttpRequest withHost(String... hosts) {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n");
        for (String host : hosts) {
            head.append("Host: ").append(host).append("\r\n");
        }
        head.append("\r\n");
        HttpRequest request = HttpHeadParser.forRequests(HeadLimits.DEFAULTS)
                .feed(ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)));
        if (request == null) {
            throw new AssertionError("head not parsed");
        }
        return request;
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "LOCALHOST:1", "localhost.", "127.0.0.1", "127.0.0.1:9",
        "[::1]", "[::1]:8080"})
    void A20_loopbackNamesAreAnsweredOnLoopback(String host) {
        assertTrue(LOOPBACK.allows(withHost(host)), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.2", "10.0.0.1",
        "[::2]", "127.0.0.1.nip.io", "localhostx"})
    void A20_anyOtherNameIsRefusedOnLoopback(String host) {
        assertFalse(LOOPBACK.allows(withHost(host)), host);
    }

    @Test
    void A20_onAllInterfacesAddressesPassAndNamesMustBeListed() {
        HostPolicy policy = HostPolicy.allowing(List.of("localhost", "chat.example.com", ".apps.example.org")).orAnyAddress();
        for (String ok : List.of("192.0.2.7:80", "[2001:db8::1]", "chat.example.com", "apps.example.org",
                "a.b.apps.example.org:443", "Chat.Example.Com.")) {
            assertTrue(policy.allows(withHost(ok)), ok);
        }
        for (String refused : List.of("evil.example", "example.com", "xapps.example.org", "chat.example.com.evil",
                "256.1.1.1", "1.2.3", "01234.1.1.1")) {
            assertFalse(policy.allows(withHost(refused)), refused);
        }
    }

    @Test
    void A20_aMissingRepeatedOrMalformedHostIsLeftToTheHandshakesOwn400() {
        assertTrue(LOOPBACK.allows(withHost()));
        assertTrue(LOOPBACK.allows(withHost("evil.example", "localhost")));
        assertTrue(LOOPBACK.allows(withHost("a b")));
    }

    @Test
    void anyAllowsEverything() {
        assertTrue(HostPolicy.any().allows(withHost("evil.example")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "host:80", "http://example.com", ".", "[::1"})
    void malformedEntriesAreRefusedWhenTheServerIsBuilt(String entry) {
        assertThrows(IllegalArgumentException.class, () -> HostPolicy.allowing(List.of(entry)));
    }
}
