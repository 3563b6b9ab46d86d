package dev.duplex;

import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpResponse;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Looks at an upgrade request after it has passed the protocol's own checks (method, headers,
 * key, version, Origin) and before the 101 is sent, and decides whether it goes through: the
 * place for authentication, per-user caps and the like. It may accept, attaching a principal and
 * attributes that the handler reads from {@link Handshake}; refuse with a status and headers
 * (401 with {@code WWW-Authenticate}, 403, 429); and pick the subprotocol the 101 names.
 *
 * <p>Runs on the connection's own virtual thread, so it may block (to ask a token service, say);
 * the handshake deadline still applies. It is called for many connections at once. Whatever it
 * reads, it must not log secrets: {@link HandshakeRequest#toString()} leaves out the query and
 * header values for that reason. Built in: {@link dev.duplex.auth.TicketAuthenticator} and
 * {@link dev.duplex.auth.BearerTokenAuthenticator}.
 */
@FunctionalInterface
public interface HandshakeInterceptor {

    /** Lets every request through. */
    HandshakeInterceptor ACCEPT_ALL = request -> Decision.accept();

    Decision intercept(HandshakeRequest request);

    /** The interceptor's answer. */
    sealed interface Decision {

        /**
         * Go on with the upgrade.
         *
         * @param principal who the client proved to be, or null; the handler reads it from
         *     {@link Handshake#principal()}
         * @param attributes what the handler reads from {@link Handshake#attributes()}
         * @param subprotocol which subprotocol the 101 names: the route's choice by default
         */
        record Accept(Principal principal, Map<String, Object> attributes, SubprotocolChoice subprotocol)
                implements Decision {
            public Accept {
                attributes = Map.copyOf(attributes);
                Objects.requireNonNull(subprotocol, "subprotocol");
            }

            /**
             * Agree on this subprotocol instead of the route's choice. It must be one the client
             * offered (RFC 6455 4.2.2 item 5.5); naming another is a bug, answered with 500.
             */
            public Accept withSubprotocol(String name) {
                return new Accept(principal, attributes, SubprotocolChoice.of(name));
            }

            /** Agree on no subprotocol, whatever the route would pick. */
            public Accept withoutSubprotocol() {
                return new Accept(principal, attributes, SubprotocolChoice.NONE);
            }
        }

        /** Refuse with this response; it gets {@code Connection: close} (row A18). */
        record Reject(HttpResponse response) implements Decision {
            public Reject {
                Objects.requireNonNull(response, "response");
                if (response.status() < 300) {
                    throw new IllegalArgumentException("a refusal needs a status of 300 or more");
                }
            }
        }

        static Accept accept() {
            return new Accept(null, Map.of(), SubprotocolChoice.ROUTE);
        }

        static Accept accept(Map<String, Object> attributes) {
            return new Accept(null, attributes, SubprotocolChoice.ROUTE);
        }

        static Accept accept(Principal principal) {
            return new Accept(Objects.requireNonNull(principal, "principal"), Map.of(), SubprotocolChoice.ROUTE);
        }

        static Accept accept(Principal principal, Map<String, Object> attributes) {
            return new Accept(Objects.requireNonNull(principal, "principal"), attributes, SubprotocolChoice.ROUTE);
        }

        static Reject reject(int status) {
            return new Reject(HttpResponse.error(status));
        }

        static Reject reject(int status, Headers headers) {
            return new Reject(HttpResponse.error(status, headers));
        }

        /**
         * 401 with this challenge in {@code WWW-Authenticate}, which RFC 9110 15.5.2 requires
         * on every 401, e.g. {@code Bearer realm="chat"}.
         */
        static Reject unauthorized(String challenge) {
            return reject(401, Headers.builder().add("WWW-Authenticate", challenge).build());
        }

        /** 429 with {@code Retry-After} in whole seconds, at least 1 (RFC 6585 4, RFC 9110 10.2.3). */
        static Reject tooManyRequests(Duration retryAfter) {
            long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
            return reject(429, Headers.builder().add("Retry-After", Long.toString(seconds)).build());
        }
    }

    /**
     * Which subprotocol an accepted upgrade agrees on: {@link #ROUTE} keeps the route's choice,
     * {@link #NONE} names none, {@link #of} names one the client offered.
     *
     * @param replace whether the route's choice is replaced
     * @param name the subprotocol that replaces it, or null for none
     */
    record SubprotocolChoice(boolean replace, String name) {
        /** The route's choice: its first preference that the client offered. */
        public static final SubprotocolChoice ROUTE = new SubprotocolChoice(false, null);
        /** No subprotocol. */
        public static final SubprotocolChoice NONE = new SubprotocolChoice(true, null);

        public SubprotocolChoice {
            if (!replace && name != null) {
                throw new IllegalArgumentException("a name only goes with replace");
            }
        }

        public static SubprotocolChoice of(String name) {
            return new SubprotocolChoice(true, Objects.requireNonNull(name, "name"));
        }
    }
}
