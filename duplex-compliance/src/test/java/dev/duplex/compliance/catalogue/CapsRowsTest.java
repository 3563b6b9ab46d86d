package dev.duplex.compliance.catalogue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.Rate;
import dev.duplex.ServerLimits;
import dev.duplex.compliance.robustness.RawPeer;
import java.security.Principal;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue rows A19 and H4: connection caps, checked at accept, before any WebSocket state
 * exists, and the per-user cap, checked once the interceptor has named the user, before the 101. Each kind of cap has servers of its own, set just above the twenty canaries (which
 * all come from 127.0.0.1, as every test socket does): two more connections fit, the third is
 * refused.
 */
@Isolated
class CapsRowsTest {
    private static final int ROOM = 2;

    @RegisterExtension
    static final CatalogueServers perAddress = new CatalogueServers(
            (b, echo) -> b.limits(ServerLimits.builder().maxConnectionsPerAddress(Canaries.COUNT + ROOM).build()), o -> o);

    @RegisterExtension
    static final CatalogueServers attemptRate = new CatalogueServers(
            (b, echo) -> b.limits(ServerLimits.builder()
                    .connectionAttemptsPerAddress(Rate.perSecond(0.1).withBurst(Canaries.COUNT + ROOM)).build()), o -> o);

    @RegisterExtension
    static final CatalogueServers global = new CatalogueServers(
            (b, echo) -> b.limits(ServerLimits.builder().maxConnections(Canaries.COUNT + ROOM).build()), o -> o);

    /** The user is named by the query, as an authenticator would name it from a credential. */
    @RegisterExtension
    static final CatalogueServers perUser = new CatalogueServers(
            (b, echo) -> b.limits(ServerLimits.builder().maxConnectionsPerPrincipal(ROOM).build())
                    .handshakeInterceptor(request -> request.queryParameter("user")
                            .<HandshakeInterceptor.Decision>map(name -> HandshakeInterceptor.Decision.accept((Principal) () -> name))
                            .orElseGet(HandshakeInterceptor.Decision::accept)), o -> o);

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H4_connectionsOfOneUserOverTheCapGet429(Transport transport, Delivery delivery) throws Exception {
        // The canaries carry no user, so only this user's connections count.
        perUser.row(transport, delivery, s -> refusedPastTheRoom(s, "/echo?user=mallory", 429));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void A19_connectionsFromOneAddressOverTheCapGet429(Transport transport, Delivery delivery) throws Exception {
        perAddress.row(transport, delivery, s -> refusedPastTheRoom(s, 429));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void A19_connectionAttemptsFromOneAddressOverTheRateGet429(Transport transport, Delivery delivery) throws Exception {
        attemptRate.row(transport, delivery, s -> refusedPastTheRoom(s, 429));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void H4_connectionsOverTheGlobalCapGet503(Transport transport, Delivery delivery) throws Exception {
        global.row(transport, delivery, s -> refusedPastTheRoom(s, 503));
    }

    /** Two more connections upgrade; the next gets {@code status} with Retry-After and is closed. */
    private static void refusedPastTheRoom(Session s, int status) throws Exception {
        refusedPastTheRoom(s, "/echo", status);
    }

    private static void refusedPastTheRoom(Session s, String target, int status) throws Exception {
        for (int i = 0; i < ROOM; i++) {
            s.upgrade(target);
        }
        RawPeer refused = s.open();
        s.send(refused, s.request(target));
        String head = s.expectStatus(refused, status);
        assertTrue(head.contains("\r\nretry-after: "), () -> status + " without Retry-After: " + head);
    }
}
