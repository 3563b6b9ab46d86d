package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.Message;
import dev.duplex.auth.FirstMessageAuthenticator;
import dev.duplex.auth.TicketAuthenticator;
import dev.duplex.auth.TicketIssuer;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue section A, the server's opening handshake, attacked by a raw peer, and row J,
 * authentication against cross-site WebSocket hijacking, on the same servers (an Origin
 * allowlist, tickets on {@code /secure}, first-message authentication on {@code /first}). A refused
 * request gets its exact status, {@code Connection: close} and the end of the stream (row A18
 * checks this on every refusal); an accepted one gets 101. The handshake deadline is 5 s here,
 * so that a 16 KiB head sent one TLS record per byte arrives within it; row A16, which is
 * about that deadline, is {@link SlowlorisRowTest}, and row A19, which needs servers
 * with caps, is {@link CapsRowsTest}.
 */
@Isolated
class HandshakeAndAuthRowsTest {
    static final String ALLOWED_ORIGIN = "https://app.example";
    static final TicketIssuer TICKETS = TicketIssuer.create();
    private static final TicketAuthenticator TICKET_CHECK = new TicketAuthenticator(TICKETS);
    private static final Principal ALICE = () -> "alice";
    private static final Duration FIRST_MESSAGE_DEADLINE = Duration.ofMillis(500);

    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers(
            (b, echo) -> b.handshakeTimeout(Duration.ofSeconds(5))
                    .originPolicy(OriginPolicy.allowing(List.of(ALLOWED_ORIGIN)))
                    .handshakeInterceptor(request -> request.path().equals("/secure")
                            ? TICKET_CHECK.intercept(request)
                            : HandshakeInterceptor.Decision.accept())
                    .route("/first", new FirstMessageAuthenticator(FIRST_MESSAGE_DEADLINE,
                            message -> message instanceof Message.Text t && t.text().equals("let me in")
                                    ? Optional.of(ALICE) : Optional.empty(),
                            principal -> echo)),
            o -> o);

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A1_methodOtherThanGetGets405WithAllowGet(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (String method : List.of("POST", "PUT", "HEAD", "get")) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo").replaceFirst("GET", method));
                String head = s.expectStatus(peer, 405);
                assertTrue(head.contains("\r\nallow: get\r\n"), () -> method + ": 405 without Allow: GET: " + head);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A2_http10Gets505(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.open();
            s.send(peer, s.request("/echo").replaceFirst("HTTP/1.1", "HTTP/1.0"));
            s.expectStatus(peer, 505);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A3_hostMissingOrRepeatedGets400(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer missing = s.open();
            s.send(missing, s.request("/echo").replaceFirst("Host: [^\r]*\r\n", ""));
            s.expectStatus(missing, 400);
            RawPeer repeated = s.open();
            s.send(repeated, s.request("/echo", "Host: 127.0.0.1:" + s.port()));
            s.expectStatus(repeated, 400);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A4_upgradeMissingOrNotWebsocketGets426(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (String replacement : List.of("", "Upgrade: h2c\r\n")) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo").replace("Upgrade: websocket\r\n", replacement));
                String head = s.expectStatus(peer, 426);
                assertTrue(head.contains("\r\nupgrade: websocket\r\n"), () -> "426 without Upgrade: websocket: " + head);
            }
            RawPeer mixedCase = s.open();
            s.send(mixedCase, s.request("/echo").replace("Upgrade: websocket", "Upgrade: WebSocket"));
            s.expectStatus(mixedCase, 101); // RFC 6455 4.2.1: compared case-insensitively
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A5_connectionWithoutUpgradeTokenGets400(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.open();
            s.send(peer, s.request("/echo").replace("Connection: Upgrade", "Connection: keep-alive"));
            s.expectStatus(peer, 400);
            RawPeer substring = s.open();
            s.send(substring, s.request("/echo").replace("Connection: Upgrade", "Connection: Upgraded"));
            s.expectStatus(substring, 400);
            RawPeer list = s.open();
            s.send(list, s.request("/echo").replace("Connection: Upgrade", "Connection: keep-alive, Upgrade"));
            s.expectStatus(list, 101); // a token list, not a single value
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A6_badSecWebSocketKeyGets400(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==";
            for (String replacement : List.of("", key + "\r\n" + key, "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25j")) {
                RawPeer peer = s.open();
                String request = s.request("/echo").replace(replacement.isEmpty() ? key + "\r\n" : key, replacement);
                s.send(peer, request);
                s.expectStatus(peer, 400);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A7_versionNot13MissingOrRepeatedGets426(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            String version = "Sec-WebSocket-Version: 13\r\n";
            for (String replacement : List.of("Sec-WebSocket-Version: 8\r\n", "", version + version)) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo").replace(version, replacement));
                String head = s.expectStatus(peer, 426);
                assertTrue(head.contains("\r\nsec-websocket-version: 13\r\n"), () -> "426 without the version we speak: " + head);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A8_originNotAllowedNullOrRepeatedGets403(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (String[] origins : List.of(new String[] {"Origin: https://evil.example"},
                    new String[] {"Origin: https://app.example.evil.example"},   // the allowed one as a prefix
                    new String[] {"Origin: https://evil.app.example"},           // ... as a suffix
                    new String[] {"Origin: http://app.example"},                 // another scheme
                    new String[] {"Origin: null"},
                    new String[] {"Origin: " + ALLOWED_ORIGIN, "Origin: " + ALLOWED_ORIGIN})) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo", origins));
                s.expectStatus(peer, 403);
            }
            RawPeer allowed = s.open();
            s.send(allowed, s.request("/echo", "Origin: " + ALLOWED_ORIGIN));
            s.expectStatus(allowed, 101);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A9_noOriginIsLeftToThePolicyWhichLetsNonBrowsersIn(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.open();
            s.send(peer, s.request("/echo"));
            s.expectStatus(peer, 101);
            s.note("the default policy admits a request without Origin (RFC 6455 4.1 item 8: only browsers send one)");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A10_missingBadOrReplayedTicketGets401Before101(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            String ticket = TICKETS.issue(ALICE).value();
            for (String target : List.of("/secure", "/secure?ticket=not-a-ticket")) {
                RawPeer peer = s.open();
                s.send(peer, s.request(target));
                String head = s.expectStatus(peer, 401);
                assertTrue(head.contains("\r\nwww-authenticate: "), () -> "401 without a challenge: " + head);
            }
            RawPeer first = s.open();
            s.send(first, s.request("/secure?ticket=" + ticket));
            s.expectStatus(first, 101);
            RawPeer replay = s.open();
            s.send(replay, s.request("/secure?ticket=" + ticket));
            s.expectStatus(replay, 401); // single use: consumed by the first upgrade
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A11_unknownPathGets404(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.open();
            s.send(peer, s.request("/nowhere"));
            s.expectStatus(peer, 404);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A12_pathologicalSubprotocolGets400AndNothingUnofferedIsSelected(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer redos = s.open();
            s.send(redos, s.request("/chat", "Sec-WebSocket-Protocol: b" + " ".repeat(8000) + "x"));
            s.expectStatus(redos, 400);
            RawPeer unoffered = s.open();
            s.send(unoffered, s.request("/chat", "Sec-WebSocket-Protocol: chat2, superchat3"));
            String none = s.expectStatus(unoffered, 101);
            assertFalse(none.contains("sec-websocket-protocol"), () -> "selected a protocol the client did not offer: " + none);
            RawPeer offered = s.open();
            s.send(offered, s.request("/chat", "Sec-WebSocket-Protocol: superchat, chat"));
            String chosen = s.expectStatus(offered, 101);
            assertTrue(chosen.contains("\r\nsec-websocket-protocol: chat\r\n"), () -> "the server's first preference: " + chosen);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A13_unparseableExtensionsGet400AndBadOffersAreDeclined(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (String unparseable : List.of("permessage-deflate; client_max_window_bits=\"15",
                    "permessage-deflate; a=\"\"", "permessage-deflate;" + ";".repeat(1000))) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo", "Sec-WebSocket-Extensions: " + unparseable));
                s.expectStatus(peer, 400);
            }
            // RFC 7692 5: an offer with a value out of range, an unknown or a repeated parameter
            // is declined, and the request goes through (uncompressed, or with the next offer).
            for (String declined : List.of("permessage-deflate; server_max_window_bits=16",
                    "permessage-deflate; client_max_window_bits=7",
                    "permessage-deflate; x-unknown=1",
                    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                    "permessage-deflate; " + "a; ".repeat(1000) + "b")) {
                RawPeer peer = s.open();
                s.send(peer, s.request("/echo", "Sec-WebSocket-Extensions: " + declined));
                String head = s.expectStatus(peer, 101);
                assertFalse(head.contains("sec-websocket-extensions"), () -> "accepted a bad offer: " + head);
            }
            RawPeer unknown = s.open();
            s.send(unknown, s.request("/echo", "Sec-WebSocket-Extensions: x-unknown; a=1"));
            String head = s.expectStatus(unknown, 101);
            assertFalse(head.contains("sec-websocket-extensions"), () -> "accepted an extension it does not know: " + head);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A14_oversizedRequestLineHeaderLineCountOrHeadGets414Or431(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            // Each head stops at the byte that passes its limit, so nothing is left unread.
            RawPeer line = s.open();
            s.send(line, "GET /" + "a".repeat(8192 - 5 + 1));
            s.expectStatus(line, 414);
            String start = "GET " + s.target("/echo") + " HTTP/1.1\r\n";
            RawPeer field = s.open();
            s.send(field, start + "X-Long: " + "a".repeat(8192 - 8 + 1));
            s.expectStatus(field, 431);
            RawPeer count = s.open();
            s.send(count, start + "a: b\r\n".repeat(100) + "c");
            s.expectStatus(count, 431);
            StringBuilder big = new StringBuilder(start);
            for (int i = 0; big.length() <= 16384; i++) {
                big.append("X-").append(i).append(": ").append("a".repeat(4000)).append("\r\n");
            }
            RawPeer head = s.open();
            s.send(head, big.substring(0, 16385));
            s.expectStatus(head, 431);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void A15_twoThousandHeadersGet431(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.open();
            s.send(peer, "GET " + s.target("/echo") + " HTTP/1.1\r\n" + "a: b\r\n".repeat(2000) + "\r\n");
            s.expectStatus(peer, 431);
            s.note("the whole head at once; the 1-byte variant of a header count is A14's");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A17_bodyGets400AndPipelinedFramesAreNotLost(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer body = s.open();
            s.send(body, s.request("/echo", "Content-Length: 5") + "hello");
            s.expectStatus(body, 400);
            RawPeer chunked = s.open();
            s.send(chunked, s.request("/echo", "Transfer-Encoding: chunked") + "0\r\n\r\n");
            s.expectStatus(chunked, 400);

            RawPeer pipelined = s.open();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(s.request("/echo").getBytes(UTF_8));
            bytes.writeBytes(RawPeer.frame(true, 0, RawPeer.TEXT, "right behind the head".getBytes(UTF_8), true));
            s.send(pipelined, bytes.toByteArray());
            s.expectStatus(pipelined, 101);
            s.expectFrame(pipelined, new RawPeer.Frame(true, RawPeer.TEXT, "right behind the head".getBytes(UTF_8)));
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void A18_everyRefusalSaysConnectionCloseAndCloses(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            // expectStatus checks Connection: close and the end of the stream on each.
            int[] statuses = {404, 426, 400, 403};
            String[] requests = {
                s.request("/nowhere"),
                s.request("/echo").replace("Upgrade: websocket\r\n", ""),
                s.request("/echo").replace("Connection: Upgrade", "Connection: close"),
                s.request("/echo", "Origin: https://evil.example")};
            for (int i = 0; i < statuses.length; i++) {
                RawPeer peer = s.open();
                s.send(peer, requests[i]);
                s.expectStatus(peer, statuses[i]);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void J_crossSiteRequestWithAValidTicketIsRefusedByOriginAndTheTicketSurvives(Transport transport, Delivery delivery)
            throws Exception {
        servers.row(transport, delivery, s -> {
            String ticket = TICKETS.issue(ALICE).value();
            RawPeer crossSite = s.open();
            s.send(crossSite, s.request("/secure?ticket=" + ticket, "Origin: https://evil.example"));
            s.expectStatus(crossSite, 403);
            RawPeer sameSite = s.open();
            s.send(sameSite, s.request("/secure?ticket=" + ticket, "Origin: " + ALLOWED_ORIGIN));
            s.expectStatus(sameSite, 101); // the refused request did not spend it
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void J_ticketInTheSubprotocolHeaderIsAcceptedAndNeverEchoed(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            String ticket = TICKETS.issue(ALICE).value();
            RawPeer peer = s.open();
            s.send(peer, s.request("/secure", "Sec-WebSocket-Protocol: " + TicketAuthenticator.SUBPROTOCOL_PREFIX + ticket));
            String head = s.expectStatus(peer, 101);
            assertFalse(head.contains("sec-websocket-protocol") || head.contains(ticket.toLowerCase()),
                    () -> "the ticket came back: " + head);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void J_ticketBoundToAnotherAddressIsRefused(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            // 192.0.2.1 (TEST-NET-1) is only a value here: no packet goes there.
            String ticket = TICKETS.issue(ALICE, InetAddress.getByName("192.0.2.1")).value();
            RawPeer peer = s.open();
            s.send(peer, s.request("/secure?ticket=" + ticket));
            s.expectStatus(peer, 401);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void J_firstMessageAuthenticationFailsWith1008AtItsDeadline(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer silent = s.upgrade("/first");
            s.startClock();
            RawPeer.Frame close = silent.readFrame();
            assertEquals(1008, close.closeCode(), () -> "expected 1008, got " + close);
            s.note("no credential: 1008, closed after " + s.expectEnd(silent,
                    FIRST_MESSAGE_DEADLINE.minusMillis(100), FIRST_MESSAGE_DEADLINE.plusSeconds(2)) + " ms");
            RawPeer proves = s.upgrade("/first");
            s.send(proves, Frames.cat(Frames.text("let me in"), Frames.text("hello")));
            s.expectFrame(proves, Frames.echoOf("hello"));
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void J_ticketsNeverReachALogLine(Transport transport, Delivery delivery) throws Exception {
        Logger root = Logger.getLogger("");
        Level level = root.getLevel();
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(new SimpleFormatter().formatMessage(record) + " " + java.util.Arrays.toString(record.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        root.setLevel(Level.ALL); // DEBUG lines too: a secret must not be in any of them
        root.addHandler(capture);
        try {
            servers.row(transport, delivery, s -> {
                String good = TICKETS.issue(ALICE).value();
                String leaky = "not-a-ticket-" + good.substring(0, 8);
                RawPeer accepted = s.open();
                s.send(accepted, s.request("/secure?ticket=" + good));
                s.expectStatus(accepted, 101);
                RawPeer refused = s.open();
                s.send(refused, s.request("/secure", "Sec-WebSocket-Protocol: " + TicketAuthenticator.SUBPROTOCOL_PREFIX + leaky));
                s.expectStatus(refused, 401);
                for (String line : lines) {
                    assertFalse(line.contains(good) || line.contains(leaky), () -> "a ticket in a log line: " + line);
                }
                s.note(lines.size() + " log lines, none with a ticket");
            });
        } finally {
            root.removeHandler(capture);
            root.setLevel(level);
        }
    }
}
