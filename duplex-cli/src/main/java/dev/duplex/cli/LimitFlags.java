package dev.duplex.cli;

import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.ServerLimits;
import java.time.Duration;

/**
 * The rate and cap flags of {@code duplex serve} (rows A19, F1, H3, H4): {@code --max-connections},
 * {@code --max-connections-per-address}, {@code --rate-limit MSGS/s} and
 * {@code --byte-rate-limit BYTES/s}; and the outbound bounds (rows H1, H7, H8):
 * {@code --outbound-limit}, {@code --outbound-budget} and {@code --write-stall-timeout}. The
 * rates and the per-address cap are off unless given; the rest have the library's defaults.
 */
final class LimitFlags {
    static final String MAX_CONNECTIONS = "max-connections";
    static final String MAX_PER_ADDRESS = "max-connections-per-address";
    static final String RATE_LIMIT = "rate-limit";
    static final String BYTE_RATE_LIMIT = "byte-rate-limit";
    static final String CONTROL_FRAME_RATE = "control-frame-rate";
    static final String OUTBOUND_LIMIT = "outbound-limit";
    static final String OUTBOUND_BUDGET = "outbound-budget";
    static final String WRITE_STALL_TIMEOUT = "write-stall-timeout";

    private LimitFlags() {}

    static ServerLimits serverLimits(Arguments args) {
        return ServerLimits.builder()
                .maxConnections((int) args.number(MAX_CONNECTIONS, ServerLimits.DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE))
                .maxConnectionsPerAddress((int) args.number(MAX_PER_ADDRESS, ServerLimits.UNLIMITED, 1, Integer.MAX_VALUE))
                .outboundBudget(args.number(OUTBOUND_BUDGET, ServerLimits.DEFAULT_OUTBOUND_BUDGET, 1, Long.MAX_VALUE))
                .build();
    }

    /** The per-connection outbound flags and rates, onto {@code options}. */
    static ConnectionOptions.Builder connectionOptions(Arguments args, ConnectionOptions.Builder options) {
        long hard = args.number(OUTBOUND_LIMIT, ConnectionOptions.DEFAULT_OUTBOUND_HARD_LIMIT, 1, Long.MAX_VALUE);
        return options
                .rateLimits(rateLimits(args))
                .outboundHardLimit(hard)
                // The soft limit stays below the hard one, so backpressure shows before a close.
                .outboundSoftLimit(Math.min(ConnectionOptions.DEFAULT_OUTBOUND_SOFT_LIMIT, hard))
                .writeStallTimeout(Duration.ofSeconds(args.number(WRITE_STALL_TIMEOUT,
                        ConnectionOptions.DEFAULT_WRITE_STALL_TIMEOUT.toSeconds(), 1, 3600)));
    }

    static RateLimits rateLimits(Arguments args) {
        RateLimits.Builder rates = RateLimits.builder()
                .messages(rate(args, RATE_LIMIT))
                .bytes(rate(args, BYTE_RATE_LIMIT));
        if (args.string(CONTROL_FRAME_RATE, null) != null) {
            rates.controlFrames(rate(args, CONTROL_FRAME_RATE));
        }
        return rates.build();
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
