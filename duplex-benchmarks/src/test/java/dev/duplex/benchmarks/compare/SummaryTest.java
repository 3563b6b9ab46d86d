package dev.duplex.benchmarks.compare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison summary: medians across repetitions and ratios to the baseline server. */
class SummaryTest {
    @Test
    void mediansAndRatiosToTheBaseline() {
        List<String> lines = List.of(
                "{\"label\":\"netty/s1/1\",\"msgPerSec\":100.0,\"p99us\":10.0,\"errors\":0}",
                "{\"label\":\"netty/s1/2\",\"msgPerSec\":300.0,\"p99us\":30.0,\"errors\":0}",
                "{\"label\":\"netty/s1/3\",\"msgPerSec\":200.0,\"p99us\":20.0,\"errors\":0}",
                "{\"label\":\"duplex/s1/1\",\"msgPerSec\":500.0,\"p99us\":10.0,\"errors\":1}",
                "{\"label\":\"duplex/s1/2\",\"msgPerSec\":400.0,\"p99us\":10.0,\"errors\":0}",
                "{\"label\":\"duplex/s1/3\",\"msgPerSec\":300.0,\"p99us\":10.0,\"errors\":0}",
                "# a comment line is skipped");
        String table = Summary.summarise(lines, "netty");
        // duplex: median 400 against netty's 200, spread 300–500, p99 10 against 20, one error.
        assertTrue(table.contains("| s1 | duplex | 400 | 300–500 | 2.00 |"), table);
        assertTrue(table.contains("| 0.50 |"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("| s1 | duplex") && l.endsWith("| 1 |")), table);
        assertTrue(table.contains("| s1 | netty | 200 | 100–300 | 1.00 |"), table);
    }

    @Test
    void aRunThatOpenedNoConnectionIsLeftOutAndNamed() {
        List<String> lines = List.of(
                "{\"label\":\"netty/s1/1\",\"opened\":0,\"msgPerSec\":0.0,\"errors\":100,\"errorKinds\":{\"connect\":100}}",
                "{\"label\":\"netty/s1/2\",\"opened\":10,\"msgPerSec\":300.0,\"errors\":0}");
        String table = Summary.summarise(lines, "netty");
        assertTrue(table.contains("| s1 | netty | 300 | 300–300 | 1.00 |"), table);
        assertTrue(table.contains("Not counted (no connection opened): netty/s1/1"), table);
    }
}
