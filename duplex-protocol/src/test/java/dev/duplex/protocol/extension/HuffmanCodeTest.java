package dev.duplex.protocol.extension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 1951 3.2.2 canonical codes, length-limited and complete. */
class HuffmanCodeTest {

    @Test
    void rfc1951ExampleGetsItsCanonicalCodes() {
        // RFC 1951 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) give codes 010..111, 00, 1110, 1111.
        HuffmanCode code = HuffmanCode.ofLengths(new int[] {3, 3, 3, 3, 3, 2, 4, 4});
        int[] expected = {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111};
        for (int s = 0; s < expected.length; s++) {
            int len = code.lengths[s];
            assertEquals(expected[s], Integer.reverse(code.codes[s]) >>> (32 - len), "symbol " + s);
        }
    }

    @Test
    void fibonacciFrequenciesAreCutToTheLimitAndStayComplete() {
        // Fibonacci weights make an unlimited Huffman code as deep as there are symbols.
        int[] freq = new int[30];
        freq[0] = 1;
        freq[1] = 1;
        for (int i = 2; i < freq.length; i++) {
            freq[i] = freq[i - 1] + freq[i - 2];
        }
        for (int limit : new int[] {7, 9, 15}) {
            HuffmanCode code = HuffmanCode.build(freq, limit);
            assertComplete(code.lengths, limit);
        }
    }

    @Test
    void seededFrequenciesGiveCompleteOptimalCodesWithinTheLimit() {
        long seed = 0x4c0de5L;
        Random random = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int n = 2 + random.nextInt(285);
            int[] freq = new int[n];
            for (int i = 0; i < n; i++) {
                int scale = new int[] {1, 10, 1000, 100_000}[random.nextInt(4)];
                freq[i] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(scale);
            }
            int limit = 7 + random.nextInt(9);
            if (n > 1 << limit) {
                continue;
            }
            String where = "seed " + seed + ", round " + round;
            HuffmanCode code = HuffmanCode.build(freq, limit);
            assertComplete(code.lengths, limit);
            if (countUsed(freq) >= 2) {
                for (int i = 0; i < n; i++) {
                    assertEquals(freq[i] > 0, code.lengths[i] > 0, where + ", symbol " + i);
                }
                // A limit can only cost bits; when plain Huffman fits the limit, none at all.
                long[] plain = plainHuffman(freq);
                assertTrue(code.cost(freq) >= plain[0], where);
                if (plain[1] <= limit) {
                    assertEquals(plain[0], code.cost(freq), where);
                }
            }
        }
    }

    /** Unlimited Huffman: {total cost, deepest leaf}, by repeatedly merging the two lightest. */
    private static long[] plainHuffman(int[] freq) {
        java.util.PriorityQueue<long[]> queue =
                new java.util.PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int f : freq) {
            if (f > 0) {
                queue.add(new long[] {f, 0});
            }
        }
        long cost = 0;
        while (queue.size() > 1) {
            long[] a = queue.poll();
            long[] b = queue.poll();
            cost += a[0] + b[0];
            queue.add(new long[] {a[0] + b[0], Math.max(a[1], b[1]) + 1});
        }
        return new long[] {cost, queue.peek()[1]};
    }

    @Test
    void oneOrNoSymbolStillMakesATwoSymbolCode() {
        assertArrayEquals(new int[] {1, 1, 0}, HuffmanCode.build(new int[] {0, 0, 0}, 15).lengths);
        assertArrayEquals(new int[] {1, 0, 1}, HuffmanCode.build(new int[] {0, 0, 9}, 15).lengths);
        assertArrayEquals(new int[] {1, 1, 0}, HuffmanCode.build(new int[] {9, 0, 0}, 15).lengths);
    }

    private static int countUsed(int[] freq) {
        int used = 0;
        for (int f : freq) {
            used += f > 0 ? 1 : 0;
        }
        return used;
    }

    /** Kraft sum exactly one, and nothing longer than the limit. */
    private static void assertComplete(int[] lengths, int limit) {
        long kraft = 0;
        for (int len : lengths) {
            assertTrue(len <= limit, "length " + len + " over " + limit);
            if (len > 0) {
                kraft += 1L << (limit - len);
            }
        }
        assertEquals(1L << limit, kraft, "the code is complete");
    }
}
