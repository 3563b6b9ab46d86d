package dev.duplex.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** RFC 9110 10.2.3: Retry-After as delay-seconds or an HTTP-date, for the reconnecting client. */
class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-12-08T00:00:00Z");

    @Test
    void delaySeconds() {
        assertEquals(Duration.ZERO, Reconnector.parseRetryAfter("0", NOW));
        assertEquals(Duration.ofSeconds(120), Reconnector.parseRetryAfter("120", NOW));
        assertEquals(Duration.ofSeconds(999_999_999L), Reconnector.parseRetryAfter("99999999999999999999", NOW),
                "a number too long for a long is capped, not an overflow");
    }

    @Test
    void httpDate() {
        assertEquals(Duration.ofSeconds(90), Reconnector.parseRetryAfter("Tue, 08 Dec 2026 00:01:30 GMT", NOW));
        assertEquals(Duration.ZERO, Reconnector.parseRetryAfter("Mon, 07 Dec 2026 23:00:00 GMT", NOW),
                "a date already past means now");
    }

    @Test
    void anythingElseIsIgnored() {
        assertNull(Reconnector.parseRetryAfter("", NOW));
        assertNull(Reconnector.parseRetryAfter("-5", NOW));
        assertNull(Reconnector.parseRetryAfter("1.5", NOW));
        assertNull(Reconnector.parseRetryAfter("soon", NOW));
    }
}
