package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ProxyOptions;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which proxy {@code duplex connect} takes from its flag and the environment, as curl would. */
class ProxyEnvironmentTest {
    private static final URI WSS = URI.create("wss://api.example.com/feed");
    private static final URI WS = URI.create("ws://api.example.com/feed");

    @Test
    void theFlagComesFirstThenTheSchemesVariableThenAllProxy() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://secure-proxy:3128", "http_proxy", "http://plain-proxy:8080",
                "ALL_PROXY", "socks5://any-proxy:1080");
        assertEquals(ProxyOptions.http("flag-proxy", 3128), ProxyEnvironment.choose("http://flag-proxy:3128", WSS, env));
        assertEquals(ProxyOptions.http("secure-proxy", 3128), ProxyEnvironment.choose(null, WSS, env));
        assertEquals(ProxyOptions.http("plain-proxy", 8080), ProxyEnvironment.choose(null, WS, env));
        assertEquals(ProxyOptions.socks5("any-proxy", 1080), ProxyEnvironment.choose(null, WS, Map.of("ALL_PROXY",
                "socks5://any-proxy:1080")));
        assertEquals(ProxyOptions.http("lower", 80), ProxyEnvironment.choose(null, WSS, Map.of("https_proxy", "lower")));
    }

    @Test
    void upperCaseHttpProxyIsIgnoredAsCurlIgnoresIt() {
        assertEquals(ProxyOptions.SYSTEM, ProxyEnvironment.choose(null, WS, Map.of("HTTP_PROXY", "http://from-a-header:80")));
    }

    @Test
    void nothingSetLeavesTheJdkPropertiesInCharge() {
        assertEquals(ProxyOptions.SYSTEM, ProxyEnvironment.choose(null, WSS, Map.of()));
    }

    @Test
    void noProxyBypassesTheFlagAndTheVariables() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://p:1", "NO_PROXY", "example.com");
        assertEquals(ProxyOptions.DIRECT, ProxyEnvironment.choose(null, WSS, env));
        assertEquals(ProxyOptions.DIRECT, ProxyEnvironment.choose("http://p:1", WSS, Map.of("no_proxy", "*")));
    }

    @Test
    void noProxyNamesMatchThemselvesAndTheirSubdomainsOnly() {
        assertTrue(ProxyEnvironment.bypasses("example.com", "example.com"));
        assertTrue(ProxyEnvironment.bypasses("example.com", "api.example.com"));
        assertTrue(ProxyEnvironment.bypasses(".example.com", "api.example.com"));
        assertTrue(ProxyEnvironment.bypasses(".example.com", "example.com"));
        assertTrue(ProxyEnvironment.bypasses(" other.org , EXAMPLE.com ", "Api.Example.COM."));
        assertFalse(ProxyEnvironment.bypasses("example.com", "badexample.com"));
        assertFalse(ProxyEnvironment.bypasses("api.example.com", "example.com"));
        assertFalse(ProxyEnvironment.bypasses("", "example.com"));
        assertFalse(ProxyEnvironment.bypasses(null, "example.com"));
        assertFalse(ProxyEnvironment.bypasses(",,", "example.com"));
        assertTrue(ProxyEnvironment.bypasses("*", "anything"));
    }

    @Test
    void noProxyAddressesAndRangesMatchAtTheirEdges() {
        assertTrue(ProxyEnvironment.bypasses("127.0.0.1", "127.0.0.1"));
        assertFalse(ProxyEnvironment.bypasses("127.0.0.1", "127.0.0.2"));
        assertFalse(ProxyEnvironment.bypasses("0.0.1", "10.0.0.1"), "an address is not a domain suffix");
        assertTrue(ProxyEnvironment.bypasses("10.0.0.0/8", "10.0.0.0"));
        assertTrue(ProxyEnvironment.bypasses("10.0.0.0/8", "10.255.255.255"));
        assertFalse(ProxyEnvironment.bypasses("10.0.0.0/8", "11.0.0.0"));
        assertFalse(ProxyEnvironment.bypasses("10.0.0.0/8", "9.255.255.255"));
        assertTrue(ProxyEnvironment.bypasses("192.168.1.7/32", "192.168.1.7"));
        assertFalse(ProxyEnvironment.bypasses("192.168.1.7/32", "192.168.1.8"));
        assertTrue(ProxyEnvironment.bypasses("0.0.0.0/0", "203.0.113.9"));
        assertFalse(ProxyEnvironment.bypasses("10.0.0.0/33", "10.0.0.1"), "a prefix too long matches nothing");
        assertFalse(ProxyEnvironment.bypasses("10.0.0.0/8", "ten.example"), "a name is never in a range");
        assertTrue(ProxyEnvironment.bypasses("[::1]", "::1"));
        assertTrue(ProxyEnvironment.bypasses("fd00::/8", "fd12::5"));
        assertFalse(ProxyEnvironment.bypasses("fd00::/8", "fe80::1"));
    }

    @Test
    void aProxyUrlThatCannotBeUsedIsRefusedWithoutItsCredentials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxyEnvironment.choose(null, WSS, Map.of("HTTPS_PROXY", "https://user:hunter2@proxy:443")));
        assertTrue(e.getMessage().startsWith("HTTPS_PROXY: "), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void credentialsInTheUrlArePercentDecodedAndNeverShown() {
        ProxyOptions proxy = ProxyEnvironment.choose("http://al%40ice:p%3Ass+word@proxy:3128", WSS, Map.of());
        assertEquals("al@ice", proxy.username());
        assertEquals("p:ss+word", new String(proxy.password()));
        assertEquals("ProxyOptions[http://proxy:3128, with credentials]", proxy.toString());
    }
}
