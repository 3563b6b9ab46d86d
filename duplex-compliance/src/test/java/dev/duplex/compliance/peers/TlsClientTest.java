package dev.duplex.compliance.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ClientOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import java.net.URI;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client's TLS (catalogue rows B6 and I, and B1's downgrade), against a hand-written TLS
 * server with certificates from a CA made for this run: hostname verification is on by default,
 * SNI names the host, and only the explicitly named option skips the name check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsClientTest {
    private static final long TIMEOUT = PeerContract.TIMEOUT;

    private TestPki pki;
    private SSLContext trustingTheCa;
    private RawHttpServer forLocalhost;
    private RawHttpServer forAnotherHost;

    @BeforeAll
    void start() throws Exception {
        pki = new TestPki();
        trustingTheCa = pki.trustingContext();
        forLocalhost = new RawHttpServer(pki.issue(List.of("localhost"), List.of("127.0.0.1")).serverContext(),
                RawHttpServer::switchingProtocols);
        forAnotherHost = new RawHttpServer(pki.issue(List.of("other.example"), List.of()).serverContext(),
                RawHttpServer::switchingProtocols);
    }

    @AfterAll
    void stop() throws Exception {
        forLocalhost.close();
        forAnotherHost.close();
    }

    private WebSocket connect(URI uri, ClientOptions options) throws Exception {
        return WebSocketClient.create(options).connect(uri, new Recorder()).get(TIMEOUT, TimeUnit.SECONDS);
    }

    private Throwable failure(URI uri, ClientOptions options) {
        CompletableFuture<WebSocket> f = WebSocketClient.create(options).connect(uri, new Recorder());
        return assertThrows(ExecutionException.class, () -> f.get(TIMEOUT, TimeUnit.SECONDS)).getCause();
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void wssConnectsWhenTheCertificateNamesTheHostAndSniCarriesTheName() throws Exception {
        WebSocket socket = connect(forLocalhost.uri("localhost", "/secure"),
                ClientOptions.builder().sslContext(trustingTheCa).build());
        RawHttpServer.Request request = forLocalhost.requests.poll(TIMEOUT, TimeUnit.SECONDS);
        assertEquals("GET /secure HTTP/1.1", request.requestLine());
        assertEquals(List.of("localhost"), request.serverNames());
        socket.abort();
    }

    @Test
    void anIpAddressIsVerifiedAgainstTheCertificatesAddressesAndSendsNoSni() throws Exception {
        forLocalhost.requests.clear();
        WebSocket socket = connect(forLocalhost.uri("127.0.0.1", "/"), ClientOptions.builder().sslContext(trustingTheCa).build());
        assertEquals(List.of(), forLocalhost.requests.poll(TIMEOUT, TimeUnit.SECONDS).serverNames(),
                "RFC 6066 3: no literal addresses in SNI");
        socket.abort();
    }

    @Test
    void B6_aTrustedCertificateForAnotherHostIsRefused() {
        Throwable e = failure(forAnotherHost.uri("localhost", "/"), ClientOptions.builder().sslContext(trustingTheCa).build());
        assertInstanceOf(SSLHandshakeException.class, e);
        assertTrue(causedBy(e, CertificateException.class), "refused for its name: " + e);
    }

    @Test
    void B6_insecureSkipHostnameVerificationAcceptsATrustedCertificateForAnotherHost() throws Exception {
        connect(forAnotherHost.uri("localhost", "/"),
                ClientOptions.builder().sslContext(trustingTheCa).insecureSkipHostnameVerification().build()).abort();
    }

    @Test
    void B6_skippingTheNameCheckStillRequiresATrustedChain() {
        Throwable e = failure(forLocalhost.uri("localhost", "/"),
                ClientOptions.builder().insecureSkipHostnameVerification().build()); // the JDK's trust store
        assertInstanceOf(SSLHandshakeException.class, e);
    }

    @Test
    void B1_aRedirectFromWssToWsDropsAuthorizationAndCookie() throws Exception {
        try (RawHttpServer plain = new RawHttpServer(null, RawHttpServer::switchingProtocols);
             RawHttpServer redirecting = new RawHttpServer(pki.issue(List.of("localhost"), List.of()).serverContext(),
                     request -> "HTTP/1.1 302 Found\r\nLocation: " + plain.uri("localhost", "/down")
                             + "\r\nContent-Length: 0\r\n\r\n")) {
            ClientOptions options = ClientOptions.builder().sslContext(trustingTheCa).followRedirects(true)
                    .header("Authorization", "Bearer s3cret").header("Cookie", "session=1").build();
            connect(redirecting.uri("localhost", "/up"), options).abort();
            assertEquals("Bearer s3cret", redirecting.requests.poll(TIMEOUT, TimeUnit.SECONDS).field("Authorization"));
            RawHttpServer.Request downgraded = plain.requests.poll(TIMEOUT, TimeUnit.SECONDS);
            assertEquals("GET /down HTTP/1.1", downgraded.requestLine());
            assertNull(downgraded.field("Authorization"), "credentials never travel over plain ws after wss");
            assertNull(downgraded.field("Cookie"));
        }
    }
}
