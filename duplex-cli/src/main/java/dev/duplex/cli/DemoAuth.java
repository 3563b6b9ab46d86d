package dev.duplex.cli;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.HttpEndpoint;
import dev.duplex.WebSocketServer;
import dev.duplex.auth.Ticket;
import dev.duplex.auth.TicketAuthenticator;
import dev.duplex.auth.TicketIssuer;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code duplex serve --demo-auth}: the ticket flow of rows A10 and J, end to end. The echo
 * endpoint admits only connections that bring a single-use ticket; the page gets one from
 * {@code POST /ticket} with the password this command prints at start, then opens
 * {@code /echo?ticket=…}. Every reconnect fetches a new ticket, since each is spent on use.
 *
 * <p>{@code /demo-auth.js} is served either way ({@link ServeCommand#demo} serves the empty one):
 * it is what tells the page whether to ask for the password.
 */
final class DemoAuth {
    static final String TICKET_PATH = "/ticket";
    static final String PROTECTED_PATH = "/echo";
    static final String SCRIPT_PATH = "/demo-auth.js";
    /** What the page loads from {@link #SCRIPT_PATH} without --demo-auth: nothing to do. */
    static final byte[] SCRIPT_WHEN_OFF = "'use strict';\n// duplex serve runs without --demo-auth\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final Principal DEMO_USER = () -> "demo";

    private final String password;
    private final byte[] passwordDigest;
    private final TicketIssuer issuer;
    private final OriginPolicy origins;

    private DemoAuth(String password, TicketIssuer issuer, OriginPolicy origins) {
        this.password = password;
        this.passwordDigest = sha256(password);
        this.issuer = issuer;
        this.origins = origins;
    }

    /**
     * With {@code enabled}, protects {@link #PROTECTED_PATH} with tickets, adds the ticket
     * endpoint, and serves the page's auth script in place of {@link #SCRIPT_WHEN_OFF}.
     * Returns the installed flow, or null when off.
     */
    static DemoAuth install(WebSocketServer.Builder builder, boolean enabled, OriginPolicy origins) {
        if (!enabled) {
            return null;
        }
        builder.resource(SCRIPT_PATH, "text/javascript; charset=utf-8", resource("demo-auth.js"));
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        DemoAuth auth = new DemoAuth(Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
                TicketIssuer.create(), origins);
        TicketAuthenticator tickets = new TicketAuthenticator(auth.issuer, "duplex demo");
        builder.httpEndpoint(TICKET_PATH, auth::ticket)
                .handshakeInterceptor(request -> request.path().equals(PROTECTED_PATH)
                        ? tickets.intercept(request)
                        : HandshakeInterceptor.Decision.accept());
        return auth;
    }

    void printTo(PrintStream out, String baseUrl) {
        out.println("  demo auth:     " + PROTECTED_PATH + " needs a ticket from POST " + baseUrl + TICKET_PATH);
        out.println("                 password: " + password);
    }

    /**
     * {@code POST /ticket} with the password as a form field ({@code password=…}) or as HTTP
     * Basic credentials (any user name), for curl. A wrong password is 403 rather than 401, so
     * that no browser pops up its own login dialog over the page.
     */
    HttpEndpoint.Response ticket(HttpEndpoint.Request request) {
        if (!request.head().method().equals("POST")) {
            return HttpEndpoint.Response.text(405, "POST only\n").withHeader("Allow", "POST");
        }
        // A page on another site must not get tickets for the user who typed the password here.
        if (!origins.allows(request.head())) {
            return HttpEndpoint.Response.text(403, "origin not allowed\n");
        }
        Optional<String> presented = basicPassword(request.head().headers())
                .or(() -> formPassword(request.body()));
        if (presented.isEmpty() || !MessageDigest.isEqual(sha256(presented.get()), passwordDigest)) {
            return HttpEndpoint.Response.text(403, "wrong password\n");
        }
        Ticket ticket = issuer.issue(DEMO_USER, request.remoteAddress().getAddress());
        String json = "{\"ticket\":\"" + ticket.value() + "\",\"expiresIn\":" + issuer.timeToLive().toSeconds() + "}";
        return HttpEndpoint.Response.of(200, "application/json", json.getBytes(StandardCharsets.US_ASCII));
    }

    private static Optional<String> basicPassword(Headers headers) {
        Optional<String> field = headers.first("Authorization");
        if (field.isEmpty() || !field.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String pair = new String(Base64.getDecoder().decode(field.get().substring(6).trim()), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(pair.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> formPassword(byte[] body) {
        for (String pair : new String(body, StandardCharsets.US_ASCII).split("&")) {
            if (pair.startsWith("password=")) {
                try {
                    return Optional.of(URLDecoder.decode(pair.substring(9), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** Digests compare in constant time whatever the lengths, unlike the strings themselves. */
    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = DemoAuth.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
