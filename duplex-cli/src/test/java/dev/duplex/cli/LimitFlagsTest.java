package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;
import org.junit.jupiter.api.Test;

/** The rate and cap flags of {@code duplex serve}: parsed into the options, off unless given. */
class LimitFlagsTest {
    private static Arguments parse(String... args) {
        return Arguments.parse(args, ServeCommand.OPTIONS);
    }

    @Test
    void withoutFlagsEverythingIsOff() {
        assertEquals(ServerLimits.UNLIMITED, LimitFlags.serverLimits(parse()).maxConnections());
        assertEquals(ServerLimits.UNLIMITED, LimitFlags.serverLimits(parse()).maxConnectionsPerAddress());
        assertTrue(LimitFlags.rateLimits(parse()).isUnlimited());
    }

    @Test
    void capsAndRatesAreParsed() {
        Arguments args = parse("--max-connections", "500", "--max-connections-per-address=20",
                "--rate-limit", "100/s", "--byte-rate-limit", "65536");
        ServerLimits limits = LimitFlags.serverLimits(args);
        assertEquals(500, limits.maxConnections());
        assertEquals(20, limits.maxConnectionsPerAddress());
        RateLimits rates = LimitFlags.rateLimits(args);
        assertEquals(Rate.perSecond(100), rates.messages());
        assertEquals(Rate.perSecond(65536), rates.bytes());
        assertEquals(RateLimits.DEFAULT_GRACE, rates.grace());
    }

    @Test
    void nonsenseIsAUsageError() {
        assertThrows(Arguments.UsageException.class, () -> LimitFlags.rateLimits(parse("--rate-limit", "fast")));
        assertThrows(Arguments.UsageException.class, () -> LimitFlags.rateLimits(parse("--rate-limit", "0/s")));
        assertThrows(Arguments.UsageException.class, () -> LimitFlags.serverLimits(parse("--max-connections", "0")));
        assertTrue(parse("--demo-auth").flag("demo-auth"));
    }
}
