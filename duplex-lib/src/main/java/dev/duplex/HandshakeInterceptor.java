package dev.duplex;

import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * Looks at an upgrade request after it has passed the protocol's own checks (method, headers,
 * key, version, Origin) and before the 101 is sent, and decides whether it goes through: the
 * place for authentication, per-user caps and the like. Runs on the connection's own virtual
 * thread, so it may block (to ask a token service, say); the handshake deadline still applies.
 */
@FunctionalInterface
public interface HandshakeInterceptor {

    /** Lets every request through. */
    HandshakeInterceptor ACCEPT_ALL = (request, remoteAddress) -> Decision.accept();

    Decision intercept(HttpRequest request, InetSocketAddress remoteAddress);

    /** The interceptor's answer. */
    sealed interface Decision {
        /** Go on with the upgrade; the attributes reach the handler through {@link Handshake#attributes()}. */
        record Accept(Map<String, Object> attributes) implements Decision {
            public Accept {
                attributes = Map.copyOf(attributes);
            }
        }

        /** Refuse with this response (401 with WWW-Authenticate, 403, 429 ...); it gets {@code Connection: close}. */
        record Reject(HttpResponse response) implements Decision {
            public Reject {
                Objects.requireNonNull(response, "response");
            }
        }

        static Decision accept() {
            return new Accept(Map.of());
        }

        static Decision accept(Map<String, Object> attributes) {
            return new Accept(attributes);
        }

        static Decision reject(int status) {
            return new Reject(HttpResponse.error(status));
        }
    }
}
