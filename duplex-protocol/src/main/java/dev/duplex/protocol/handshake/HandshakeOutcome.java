package dev.duplex.protocol.handshake;

import java.util.List;
import java.util.Objects;

/** How a server answers an upgrade request: {@link Accepted} with a 101, or {@link Rejected}. */
public sealed interface HandshakeOutcome {

    /** The head to write back to the client. */
    HttpResponse response();

    /**
     * The request is a valid WebSocket upgrade: write the 101 and switch the connection to frames.
     *
     * @param response the {@code 101 Switching Protocols} head
     * @param subprotocol the chosen subprotocol, or {@code null} for none
     * @param extensions the accepted extension elements, in the order they apply (empty for none)
     */
    record Accepted(HttpResponse response, String subprotocol, List<ExtensionOffer> extensions)
            implements HandshakeOutcome {
        public Accepted {
            Objects.requireNonNull(response, "response");
            extensions = List.copyOf(extensions);
        }
    }

    /**
     * The request is refused: write the response, which carries {@code Connection: close}, then
     * close the connection (row A18).
     *
     * @param response the error head
     * @param reason which rule failed, for the server's log; names the rule, never a header
     *     value, and is not sent to the client
     */
    record Rejected(HttpResponse response, String reason) implements HandshakeOutcome {
        public Rejected {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
