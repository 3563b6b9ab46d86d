package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
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
    void withoutFlagsRatesAreOffAndTheRestHaveTheLibrarysDefaults() {
        ServerLimits limits = LimitFlags.serverLimits(parse());
        assertEquals(ServerLimits.DEFAULT_MAX_CONNECTIONS, limits.maxConnections());
        assertEquals(ServerLimits.UNLIMITED, limits.maxConnectionsPerAddress());
        assertEquals(ServerLimits.DEFAULT_OUTBOUND_BUDGET, limits.outboundBudget());
        assertEquals(RateLimits.DEFAULTS, LimitFlags.rateLimits(parse()));
        assertEquals(Rate.perSecond(7), LimitFlags.rateLimits(parse("--control-frame-rate", "7/s")).controlFrames());
        ConnectionOptions options = LimitFlags.connectionOptions(parse(), ConnectionOptions.builder()).build();
        assertEquals(ConnectionOptions.DEFAULT_OUTBOUND_HARD_LIMIT, options.outboundHardLimit());
        assertEquals(ConnectionOptions.DEFAULT_OUTBOUND_SOFT_LIMIT, options.outboundSoftLimit());
        assertEquals(ConnectionOptions.DEFAULT_WRITE_STALL_TIMEOUT, options.writeStallTimeout());
    }

    @Test
    void outboundFlagsAreParsed() {
        Arguments args = parse("--outbound-limit", "1000", "--outbound-budget", "123456", "--write-stall-timeout", "3");
        ConnectionOptions options = LimitFlags.connectionOptions(args, ConnectionOptions.builder()).build();
        assertEquals(1000, options.outboundHardLimit());
        assertEquals(1000, options.outboundSoftLimit(), "the soft limit never above the hard one");
        assertEquals(java.time.Duration.ofSeconds(3), options.writeStallTimeout());
        assertEquals(123456, LimitFlags.serverLimits(args).outboundBudget());
        assertThrows(Arguments.UsageException.class, () -> LimitFlags.serverLimits(parse("--outbound-budget", "0")));
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
