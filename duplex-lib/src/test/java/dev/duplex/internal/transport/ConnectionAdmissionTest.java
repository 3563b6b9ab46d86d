package dev.duplex.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.duplex.Rate;
import dev.duplex.ServerLimits;
import java.net.InetAddress;
import java.security.Principal;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionAdmission} with a clock the test moves: each cap at its limit and one past it,
 * slots given back, IPv6 counted per /64, idle addresses forgotten (rows A19, H4).
 */
class ConnectionAdmissionTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final Timers timers = new Timers("test-timers");

    @AfterEach
    void close() {
        timers.close();
    }

    private ConnectionAdmission admission(ServerLimits limits) {
        return new ConnectionAdmission(limits, timers, nanos::get, new ThrottledLog());
    }

    private static ConnectionAdmission.Slot admitted(ConnectionAdmission.Verdict verdict) {
        return assertInstanceOf(ConnectionAdmission.Verdict.Admitted.class, verdict).slot();
    }

    private static int refusedWith(ConnectionAdmission.Verdict verdict) {
        return assertInstanceOf(ConnectionAdmission.Verdict.Refused.class, verdict).response().status();
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void globalCapAtItsLimitAndOnePast() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnections(2).build());
        ConnectionAdmission.Slot first = admitted(a.admit(ip("10.0.0.1")));
        admitted(a.admit(ip("10.0.0.2")));
        assertEquals(503, refusedWith(a.admit(ip("10.0.0.3"))));
        first.release();
        first.release(); // idempotent: must not free two places
        admitted(a.admit(ip("10.0.0.3")));
        assertEquals(503, refusedWith(a.admit(ip("10.0.0.4"))));
        assertEquals(2, a.connections());
    }

    @Test
    void perAddressCapCountsEachAddressApart() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnectionsPerAddress(1).build());
        ConnectionAdmission.Slot slot = admitted(a.admit(ip("10.0.0.1")));
        assertEquals(429, refusedWith(a.admit(ip("10.0.0.1"))));
        admitted(a.admit(ip("10.0.0.2")));
        slot.release();
        admitted(a.admit(ip("10.0.0.1")));
    }

    @Test
    void perPrincipalCapCountsEachUserByNameAndForgetsThemWhenTheyLeave() {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnectionsPerPrincipal(2).build());
        Principal alice = () -> "alice";
        ConnectionAdmission.Slot first = admitted(a.admitPrincipal(alice));
        ConnectionAdmission.Slot second = admitted(a.admitPrincipal(() -> "alice")); // the limit, a different object
        assertEquals(429, refusedWith(a.admitPrincipal(alice))); // limit + 1
        admitted(a.admitPrincipal(() -> "bob"));
        admitted(a.admitPrincipal(null)); // no principal: never counted
        first.release();
        first.release(); // idempotent
        ConnectionAdmission.Slot third = admitted(a.admitPrincipal(alice));
        assertEquals(429, refusedWith(a.admitPrincipal(alice)));
        second.release();
        third.release();
        assertEquals(1, a.trackedPrincipals(), "only bob is still counted");
    }

    @Test
    void attemptRateRefillsWithTime() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().connectionAttemptsPerAddress(new Rate(2, 2)).build());
        admitted(a.admit(ip("10.0.0.1"))).release();
        admitted(a.admit(ip("10.0.0.1"))).release();
        ConnectionAdmission.Verdict refused = a.admit(ip("10.0.0.1"));
        assertEquals(429, refusedWith(refused));
        assertEquals("1", ((ConnectionAdmission.Verdict.Refused) refused).response().headers().first("Retry-After").orElseThrow());
        nanos.addAndGet(499_000_000L);
        assertEquals(429, refusedWith(a.admit(ip("10.0.0.1"))), "a token takes 500 ms at 2/s");
        nanos.addAndGet(1_000_000L);
        admitted(a.admit(ip("10.0.0.1")));
    }

    @Test
    void refusalByTheGlobalCapGivesBackThePerAddressPlace() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnections(1).maxConnectionsPerAddress(1).build());
        admitted(a.admit(ip("10.0.0.1")));
        assertEquals(503, refusedWith(a.admit(ip("10.0.0.2"))));
        assertEquals(503, refusedWith(a.admit(ip("10.0.0.2"))), "10.0.0.2 must still be under its own cap");
    }

    @Test
    void ipv6AddressesCountPerSlash64() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnectionsPerAddress(1).build());
        admitted(a.admit(ip("2001:db8:1:2::1")));
        assertEquals(429, refusedWith(a.admit(ip("2001:db8:1:2:ffff::9"))), "same /64");
        admitted(a.admit(ip("2001:db8:1:3::1")));
        assertNotEquals(ConnectionAdmission.AddressKey.of(ip("2001:db8:1:2::1")),
                ConnectionAdmission.AddressKey.of(ip("2001:db8:1:3::1")));
    }

    @Test
    void addressWithNothingOpenAndAFullBucketIsForgotten() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnectionsPerAddress(5).build());
        admitted(a.admit(ip("10.0.0.1"))).release();
        assertEquals(0, a.trackedAddresses());
    }

    @Test
    void noCapsMeansNoState() throws Exception {
        ConnectionAdmission a = admission(ServerLimits.builder().maxConnections(ServerLimits.UNLIMITED).build());
        for (int i = 0; i < 1000; i++) {
            admitted(a.admit(ip("10.0." + (i / 250) + "." + (i % 250))));
        }
        assertEquals(0, a.trackedAddresses());
        assertEquals(0, a.connections(), "nothing counted when there is no cap");
    }
}
