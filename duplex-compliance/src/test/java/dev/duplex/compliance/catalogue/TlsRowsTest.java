package dev.duplex.compliance.catalogue;

import static dev.duplex.compliance.catalogue.Frames.echoOf;
import static dev.duplex.compliance.catalogue.Frames.text;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.TlsOptions;
import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Catalogue row I, TLS, against the wss server (with the ws one's canaries and checks as for
 * every row). The trickled ClientHello is row A16's wss variant, and "1015 is never sent on
 * the wire" is checked on every close frame the suite reads ({@link Session#expectClose}).
 */
@Isolated
class TlsRowsTest {
    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers();

    @Test
    void I_onlyTls12AndNewerIsSpoken() throws Exception {
        servers.row(Transport.WSS, Delivery.WHOLE, s -> {
            try (SSLSocket tls13 = tls(s, null, null)) {
                assertEquals("TLSv1.3", tls13.getSession().getProtocol());
            }
            try (SSLSocket tls12 = tls(s, new String[] {"TLSv1.2"}, null)) {
                assertEquals("TLSv1.2", tls12.getSession().getProtocol());
            }
            assertThrows(IOException.class, () -> tls(s, new String[] {"TLSv1.1"}, null).close(),
                    "TLS 1.1 is refused");
            s.note("1.3 and 1.2 negotiated; 1.1 refused (the JDK client will not offer it either)");
        });
    }

    @Test
    void I_alpnSelectsHttp11AndRefusesAClientWithoutIt() throws Exception {
        servers.row(Transport.WSS, Delivery.WHOLE, s -> {
            try (SSLSocket both = tls(s, null, new String[] {"h2", "http/1.1"})) {
                assertEquals("http/1.1", both.getApplicationProtocol());
            }
            assertThrows(IOException.class, () -> tls(s, null, new String[] {"h2"}).close(),
                    "a client offering ALPN without http/1.1 is refused");
        });
    }

    @Test
    void I_clientInitiatedRenegotiationIsRefused() throws Exception {
        servers.row(Transport.WSS, Delivery.WHOLE, s -> {
            SSLSocket socket = tls(s, new String[] {"TLSv1.2"}, null);
            RawPeer peer = RawPeer.over(socket);
            try {
                peer.send(s.request("/echo").getBytes(ISO_8859_1));
                peer.expectSwitchingProtocols();
                boolean refused;
                try {
                    socket.startHandshake(); // a new ClientHello on the open connection
                    peer.send(text("after renegotiation"));
                    peer.readFrame();
                    refused = false;
                } catch (IOException e) {
                    refused = true;
                }
                assertTrue(refused, "the server went along with a client-initiated renegotiation");
                s.note("renegotiation refused: the connection failed");
            } finally {
                peer.close();
            }
        });
    }

    @Test
    void I_certificateReloadServesNewHandshakesAndKeepsOpenConnections() throws Exception {
        servers.row(Transport.WSS, Delivery.WHOLE, s -> {
            RawPeer before = s.upgrade("/echo");
            X509Certificate old = (X509Certificate) ((SSLSocket) before.socket()).getSession().getPeerCertificates()[0];
            try {
                s.servers().server(Transport.WSS).reloadTls(
                        TlsOptions.builder().sslContext(CatalogueServers.newCertificate().serverContext()).build());
                RawPeer after = s.upgrade("/echo");
                X509Certificate renewed = (X509Certificate) ((SSLSocket) after.socket()).getSession().getPeerCertificates()[0];
                assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber(), "a new handshake sees the new certificate");
                s.send(before, text("old session"));
                s.expectFrame(before, echoOf("old session"));
                s.send(after, text("new session"));
                s.expectFrame(after, echoOf("new session"));
                s.note("serial " + old.getSerialNumber().toString(16) + " -> " + renewed.getSerialNumber().toString(16));
            } finally {
                s.servers().server(Transport.WSS).reloadTls(
                        TlsOptions.builder().sslContext(CatalogueServers.certificate().serverContext()).build());
            }
        });
    }

    @Test
    void I_certificateForAnotherHostIsAClientRow() {
        RowWatcher.notAServerRow("the client verifies the host name: TlsClientTest#B6_aTrustedCertificateForAnotherHostIsRefused; "
                + "Python websockets as a client: WssPythonInteropTest");
    }

    /** A TLS connection to the wss server with these protocols and ALPN offer (null: defaults). */
    private static SSLSocket tls(Session s, String[] protocols, String[] alpn) throws Exception {
        SSLSocket socket = (SSLSocket) CatalogueServers.trustingContext().getSocketFactory().createSocket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", s.port()), (int) RawPeer.READ_DEADLINE.toMillis());
            socket.setSoTimeout((int) RawPeer.READ_DEADLINE.toMillis());
            SSLParameters parameters = socket.getSSLParameters();
            if (protocols != null) {
                parameters.setProtocols(protocols);
            }
            if (alpn != null) {
                parameters.setApplicationProtocols(alpn);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
