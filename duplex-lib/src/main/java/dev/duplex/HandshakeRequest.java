package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HeaderTokens;
import dev.duplex.protocol.handshake.HttpRequest;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * What a {@link HandshakeInterceptor} sees of an upgrade request that passed the protocol's own
 * checks: the request head, where it came from, the TLS session it arrived on, and the
 * subprotocol the route would agree on.
 *
 * @param request the upgrade request: method, target, headers
 * @param remoteAddress the client's address
 * @param tlsSession the TLS session for {@code wss}, or null for plain {@code ws}
 * @param subprotocol the subprotocol the route's preferences picked from the client's offer, or
 *     null for none; the interceptor may pick another ({@link HandshakeInterceptor.Decision.Accept#withSubprotocol})
 */
public record HandshakeRequest(HttpRequest request, InetSocketAddress remoteAddress, SSLSession tlsSession,
                               String subprotocol) {

    public HandshakeRequest {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    /** The method; always {@code GET} for an upgrade. */
    public String method() {
        return request.method();
    }

    /** The path, still percent-encoded, without the query. */
    public String path() {
        return request.path();
    }

    /** The raw query, still percent-encoded; empty when there is none. */
    public String query() {
        return request.query();
    }

    /** The first query parameter with this name, percent-decoded (see {@link HttpRequest#queryParameter}). */
    public Optional<String> queryParameter(String name) {
        return request.queryParameter(name);
    }

    /** The request's header fields. */
    public Headers headers() {
        return request.headers();
    }

    /** The subprotocols the client offered, in its order (RFC 6455 4.1 item 10). */
    public List<String> offeredSubprotocols() {
        return HeaderTokens.subprotocols(request.headers());
    }

    /** The TLS session, for {@code wss} connections. */
    public Optional<SSLSession> tls() {
        return Optional.ofNullable(tlsSession);
    }

    /**
     * The client's certificate chain, leaf first, as the TLS handshake verified it against the
     * server's CA bundle (mutual TLS, {@link TlsOptions.Builder#clientAuth}); empty for plain
     * {@code ws} or a client that presented none.
     */
    public List<X509Certificate> peerCertificates() {
        return peerCertificates(tlsSession);
    }

    /** The subject of the client's verified certificate, if it presented one. */
    public Optional<X500Principal> peerPrincipal() {
        List<X509Certificate> chain = peerCertificates();
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(0).getSubjectX500Principal());
    }

    static List<X509Certificate> peerCertificates(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : session.getPeerCertificates()) {
                if (c instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException none) {
            return List.of(); // no certificate asked for, or none given where optional
        }
    }

    /** The subprotocol the route would agree on, if any. */
    public Optional<String> selectedSubprotocol() {
        return Optional.ofNullable(subprotocol);
    }

    /** Never the query or header values, which may carry tickets or tokens. */
    @Override
    public String toString() {
        return "HandshakeRequest[" + request + " from " + remoteAddress + (tlsSession == null ? "" : ", TLS") + "]";
    }
}
