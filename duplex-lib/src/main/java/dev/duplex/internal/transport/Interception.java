package dev.duplex.internal.transport;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.HandshakeInterceptor.Decision;
import dev.duplex.HandshakeRequest;
import dev.duplex.protocol.handshake.HandshakeOutcome;
import dev.duplex.protocol.handshake.HeaderTokens;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Runs the server's {@link HandshakeInterceptor} on an upgrade the protocol accepted, and applies
 * its choice of subprotocol to the 101. Kept out of the acceptor so that its rules sit in one
 * place: an interceptor that throws refuses with 500 (logged without the request's values,
 * which may hold tickets), and a subprotocol the client did not offer is never sent (RFC 6455
 * 4.2.2 item 5.5, row A12).
 */
final class Interception {
    private static final System.Logger LOG = System.getLogger("dev.duplex");

    private Interception() {}

    /** The interceptor's decision; 500 when it throws or returns nothing. */
    static Decision decide(HandshakeInterceptor interceptor, HttpRequest request, Socket socket, String subprotocol) {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
        HandshakeRequest seen = new HandshakeRequest(request, remote, tlsSession(socket), subprotocol);
        try {
            Decision decision = interceptor.intercept(seen);
            if (decision instanceof Decision.Accept accept && accept.principal() == null
                    && seen.peerPrincipal().isPresent()) {
                // Mutual TLS: the verified client certificate names the principal unless the
                // interceptor named one itself.
                return new Decision.Accept(seen.peerPrincipal().get(), accept.attributes(), accept.subprotocol());
            }
            if (decision != null) {
                return decision;
            }
            LOG.log(System.Logger.Level.ERROR, "handshake interceptor returned no decision for {0}", remote);
        } catch (RuntimeException e) {
            // The class only: an interceptor's message may quote the token it refused.
            LOG.log(System.Logger.Level.ERROR, "handshake interceptor failed for {0}: {1}", remote, e.getClass().getName());
        }
        return Decision.reject(500);
    }

    /**
     * The accepted outcome with the interceptor's subprotocol in its 101, or null when the
     * interceptor named one the client did not offer, which the caller answers with 500.
     */
    static HandshakeOutcome.Accepted agree(HandshakeOutcome.Accepted accepted, Decision.Accept accept,
                                            HttpRequest request) {
        HandshakeInterceptor.SubprotocolChoice choice = accept.subprotocol();
        if (!choice.replace()) {
            return accepted;
        }
        String name = choice.name();
        if (name != null && !HeaderTokens.subprotocols(request.headers()).contains(name)) {
            LOG.log(System.Logger.Level.ERROR, "handshake interceptor chose a subprotocol the client did not offer");
            return null;
        }
        Headers.Builder headers = accepted.response().headers().toBuilder().remove("Sec-WebSocket-Protocol");
        if (name != null) {
            headers.add("Sec-WebSocket-Protocol", name);
        }
        HttpResponse response = new HttpResponse(accepted.response().status(), accepted.response().reason(), headers.build());
        return new HandshakeOutcome.Accepted(response, name, accepted.extensions());
    }

    /** The TLS session of a {@code wss} socket, whose handshake is done by now; null for plain. */
    private static SSLSession tlsSession(Socket socket) {
        return socket instanceof SSLSocket ssl ? ssl.getSession() : null;
    }
}
