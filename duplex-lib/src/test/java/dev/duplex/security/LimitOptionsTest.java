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
    void H4_connectionCapsAreOffByDefault() {
        ServerLimits defaults = ServerLimits.DEFAULTS;
        assertEquals(ServerLimits.UNLIMITED, defaults.maxConnections());
        assertEquals(ServerLimits.UNLIMITED, defaults.maxConnectionsPerAddress());
        assertTrue(defaults.connectionAttemptsPerAddress().isUnlimited());
        assertEquals(ServerLimits.UNLIMITED, defaults.maxConnectionsPerPrincipal());
        assertEquals(7, ServerLimits.builder().maxConnectionsPerPrincipal(7).build().maxConnectionsPerPrincipal());
        assertEquals(7, ServerLimits.builder().maxConnectionsPerPrincipal(7).build().toBuilder().build().maxConnectionsPerPrincipal());
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
    void H3_rateLimitsAreOffByDefaultWithATenSecondGraceThatQueuesBeforeClosing() {
        RateLimits defaults = ConnectionOptions.DEFAULTS.rateLimits();
        assertEquals(RateLimits.NONE, defaults);
        assertTrue(defaults.isUnlimited());
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
