/**
 * Authenticating WebSocket connections. For browsers, which cannot set {@code Authorization} on
 * a WebSocket: single-use, short-lived tickets ({@link dev.duplex.auth.TicketIssuer} mints them
 * at an endpoint that knows the user, {@link dev.duplex.auth.TicketAuthenticator} spends them
 * before the 101). For programs: {@link dev.duplex.auth.BearerTokenAuthenticator}. When the
 * credential can only come inside the connection: {@link dev.duplex.auth.FirstMessageAuthenticator},
 * with a deadline. None of them logs or echoes a credential.
 */
package dev.duplex.auth;
