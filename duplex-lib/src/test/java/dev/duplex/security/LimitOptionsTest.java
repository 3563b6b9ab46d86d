package dev.duplex.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The defaults of every rate, cap, budget and deadline this issue adds, and the values their
 * options refuse (rows A19, D3, F1, F4, H3, H4, H5). How each limit behaves at its edge is
 * tested against a real server in duplex-compliance (security package).
 */
class LimitOptionsTest {

    @Test
    void H4_connectionCapsAreOffByDefaultButTheOneUnderTheFileLimit() {
        ServerLimits defaults = ServerLimits.DEFAULTS;
        assertEquals(ServerLimits.DEFAULT_MAX_CONNECTIONS, defaults.maxConnections());
        assertEquals(ServerLimits.UNLIMITED, defaults.maxConnectionsPerAddress());
        assertTrue(defaults.connectionAttemptsPerAddress().isUnlimited());
        assertEquals(ServerLimits.UNLIMITED, defaults.maxConnectionsPerPrincipal());
        assertEquals(7, ServerLimits.builder().maxConnectionsPerPrincipal(7).build().maxConnectionsPerPrincipal());
        assertEquals(7, ServerLimits.builder().maxConnectionsPerPrincipal(7).build().toBuilder().build().maxConnectionsPerPrincipal());
    }

    @Test
    void H9_theDefaultConnectionCapLeavesTheOpenDescriptorsAndATenthOfTheFileLimitAtLeast64() {
        var os = (com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long limit = os.getMaxFileDescriptorCount();
        long cap = ServerLimits.DEFAULT_MAX_CONNECTIONS;
        assertTrue(cap <= limit - Math.max(64, limit / 10) - 3, "stdin, stdout and stderr at least are open: " + cap);
        // Read at class load; this JVM has opened more since, not fewer than it had then.
        assertTrue(cap >= limit - os.getOpenFileDescriptorCount() - Math.max(64, limit / 10), "cap " + cap);
        assertEquals(ServerLimits.UNLIMITED, ServerLimits.builder().maxConnections(ServerLimits.UNLIMITED).build().maxConnections());
    }

    @Test
    void H8_outboundBudgetIsOnByDefaultAtMost1GiBAndAnEighthOfTheHeap() {
        assertEquals(Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8), ServerLimits.DEFAULTS.outboundBudget());
        assertEquals(1, ServerLimits.builder().outboundBudget(1).build().outboundBudget());
        assertEquals(99, ServerLimits.builder().outboundBudget(99).build().toBuilder().build().outboundBudget());
        assertThrows(IllegalArgumentException.class, () -> ServerLimits.builder().outboundBudget(0).build());
    }

    @Test
    void H5_incompleteMessageBudgetIsOnByDefaultAtMost256MiBAndAQuarterOfTheHeap() {
        long budget = ServerLimits.DEFAULTS.incompleteMessageBudget();
        assertEquals(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4), budget);
        assertTrue(budget > 0);
        assertEquals(1234, ServerLimits.builder().incompleteMessageBudget(1234).build().incompleteMessageBudget());
        assertThrows(IllegalArgumentException.class, () -> ServerLimits.builder().incompleteMessageBudget(-1).build());
    }

    @Test
    void H4_capsBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServerLimits.builder().maxConnections(0).build());
        assertThrows(IllegalArgumentException.class, () -> ServerLimits.builder().maxConnectionsPerAddress(0).build());
        assertThrows(IllegalArgumentException.class, () -> ServerLimits.builder().maxConnectionsPerPrincipal(0).build());
        assertEquals(1, ServerLimits.builder().maxConnections(1).build().maxConnections());
    }

    @Test
    void H3_messageAndByteRatesAreOffByDefaultControlFramesAreNotAndTheGraceIsTenSeconds() {
        RateLimits defaults = ConnectionOptions.DEFAULTS.rateLimits();
        assertEquals(RateLimits.DEFAULTS, defaults);
        assertTrue(defaults.messages().isUnlimited());
        assertTrue(defaults.bytes().isUnlimited());
        assertEquals(Rate.perSecond(100), defaults.controlFrames());
        assertTrue(RateLimits.NONE.isUnlimited());
        assertEquals(Duration.ofSeconds(10), defaults.grace());
        assertEquals(RateLimits.Excess.PAUSE_THEN_CLOSE, defaults.onExcess());
    }

    @Test
    void rateHasABurstOfOneSecondByDefaultAndRefusesNonsense() {
        assertEquals(new Rate(100, 100), Rate.perSecond(100));
        assertEquals(1, Rate.perSecond(0.5).burst(), "a burst is at least one event");
        assertEquals(7, Rate.perSecond(100).withBurst(7).burst());
        assertFalse(Rate.perSecond(1).isUnlimited());
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(0));
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Rate.perSecond(10).withBurst(0));
    }

    @Test
    void F4_frameAndMessageDeadlinesDefaultTo30And60SecondsAndZeroTurnsThemOff() {
        assertEquals(Duration.ofSeconds(30), ConnectionOptions.DEFAULTS.frameTimeout());
        assertEquals(Duration.ofSeconds(60), ConnectionOptions.DEFAULTS.messageTimeout());
        ConnectionOptions off = ConnectionOptions.builder().frameTimeout(Duration.ZERO).messageTimeout(Duration.ZERO).build();
        assertTrue(off.frameTimeout().isZero() && off.messageTimeout().isZero());
        assertThrows(IllegalArgumentException.class, () -> ConnectionOptions.builder().frameTimeout(Duration.ofSeconds(-1)).build());
        assertEquals(off, off.toBuilder().build(), "toBuilder keeps the new options");
    }
}
