package dev.duplex.cli;

import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;

/**
 * The rate and cap flags of {@code duplex serve} (rows A19, F1, H3, H4): {@code --max-connections},
 * {@code --max-connections-per-address}, {@code --rate-limit MSGS/s} and
 * {@code --byte-rate-limit BYTES/s}. Every one is off unless given.
 */
final class LimitFlags {
    static final String MAX_CONNECTIONS = "max-connections";
    static final String MAX_PER_ADDRESS = "max-connections-per-address";
    static final String RATE_LIMIT = "rate-limit";
    static final String BYTE_RATE_LIMIT = "byte-rate-limit";

    private LimitFlags() {}

    static ServerLimits serverLimits(Arguments args) {
        return ServerLimits.builder()
                .maxConnections((int) args.number(MAX_CONNECTIONS, ServerLimits.UNLIMITED, 1, Integer.MAX_VALUE))
                .maxConnectionsPerAddress((int) args.number(MAX_PER_ADDRESS, ServerLimits.UNLIMITED, 1, Integer.MAX_VALUE))
                .build();
    }

    static RateLimits rateLimits(Arguments args) {
        return RateLimits.builder()
                .messages(rate(args, RATE_LIMIT))
                .bytes(rate(args, BYTE_RATE_LIMIT))
                .build();
    }

    /** {@code N} or {@code N/s}: N per second, with a burst of one second's worth. */
    private static Rate rate(Arguments args, String name) {
        String value = args.string(name, null);
        if (value == null) {
            return Rate.UNLIMITED;
        }
        String number = value.trim();
        if (number.endsWith("/s")) {
            number = number.substring(0, number.length() - 2);
        }
        try {
            long n = Long.parseLong(number);
            if (n < 1) {
                throw new Arguments.UsageException("--" + name + " must be at least 1 per second");
            }
            return Rate.perSecond(n);
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--" + name + " needs a whole number per second, such as 100/s, not '" + value + "'");
        }
    }
}
