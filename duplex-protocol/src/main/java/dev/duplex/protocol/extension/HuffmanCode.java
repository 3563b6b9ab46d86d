package dev.duplex.protocol.extension;

import java.util.Arrays;

/**
 * A canonical Huffman code of bounded length (RFC 1951 3.2.2), built from symbol frequencies.
 *
 * <p>Lengths come from the package-merge algorithm, which gives the optimal code under a length
 * limit directly, so no after-the-fact repair of over-long codes is needed. Every code built
 * here is complete (its Kraft sum is exactly one): zlib's inflater, and so most peers, refuse
 * an incomplete code except in the one-symbol case, so that case is padded to two symbols the
 * way zlib's own deflater does.
 */
final class HuffmanCode {
    /** Code length per symbol; 0 means the symbol does not occur. */
    final int[] lengths;
    /** The code per symbol, bit-reversed so it can be written LSB first (RFC 1951 3.1.1). */
    final int[] codes;

    private HuffmanCode(int[] lengths) {
        this.lengths = lengths;
        this.codes = canonicalCodes(lengths);
    }

    /** A code with the given lengths, e.g. the fixed code of RFC 1951 3.2.6. */
    static HuffmanCode ofLengths(int[] lengths) {
        return new HuffmanCode(lengths.clone());
    }

    /** The optimal code for {@code freq} with no code longer than {@code maxLength} bits. */
    static HuffmanCode build(int[] freq, int maxLength) {
        int n = freq.length;
        int[] lengths = new int[n];
        int used = 0;
        for (int f : freq) {
            if (f > 0) {
                used++;
            }
        }
        if (used < 2) {
            // A one-symbol code would be incomplete: give it a one-bit code next to a dummy.
            int only = -1;
            for (int i = 0; i < n; i++) {
                if (freq[i] > 0) {
                    only = i;
                }
            }
            lengths[only <= 0 ? 0 : only] = 1;
            lengths[only <= 0 ? 1 : 0] = 1;
            return new HuffmanCode(lengths);
        }
        // Leaves sorted by weight (ties by symbol, for a deterministic result).
        long[] keyed = new long[used];
        for (int i = 0, k = 0; i < n; i++) {
            if (freq[i] > 0) {
                keyed[k++] = ((long) freq[i] << 16) | i;
            }
        }
        Arrays.sort(keyed);
        int[] leaves = new int[used];
        long[] leafWeight = new long[used];
        for (int i = 0; i < used; i++) {
            leaves[i] = (int) (keyed[i] & 0xffff);
            leafWeight[i] = keyed[i] >>> 16;
        }
        // Package-merge: the deepest list holds the leaves; each shallower list merges the
        // leaves with pairs ("packages") of the list below it. isLeaf[level][i] records which
        // items of that list are leaves; level 0 is the shallowest list.
        boolean[][] isLeaf = new boolean[maxLength][];
        long[] below = leafWeight;
        for (int level = maxLength - 2; level >= 0; level--) {
            int packages = below.length / 2;
            long[] merged = new long[used + packages];
            boolean[] leafFlags = new boolean[used + packages];
            int li = 0;
            int pi = 0;
            for (int k = 0; k < merged.length; k++) {
                long packageWeight = pi < packages ? below[2 * pi] + below[2 * pi + 1] : Long.MAX_VALUE;
                if (li < used && leafWeight[li] <= packageWeight) {
                    merged[k] = leafWeight[li++];
                    leafFlags[k] = true;
                } else {
                    merged[k] = packageWeight;
                    pi++;
                }
            }
            isLeaf[level] = leafFlags;
            below = merged;
        }
        // Select the first 2n-2 items of the shallowest list. The leaves chosen in any list are
        // a prefix of the sorted leaves, and the packages chosen expand to a prefix of the list
        // below, so counting per level is enough: each selection adds one bit to a leaf.
        int take = 2 * used - 2;
        for (int level = 0; level < maxLength - 1; level++) {
            int leafCount = 0;
            for (int k = 0; k < take; k++) {
                if (isLeaf[level][k]) {
                    leafCount++;
                }
            }
            for (int j = 0; j < leafCount; j++) {
                lengths[leaves[j]]++;
            }
            take = 2 * (take - leafCount);
        }
        for (int j = 0; j < take; j++) {
            lengths[leaves[j]]++;
        }
        return new HuffmanCode(lengths);
    }

    /** RFC 1951 3.2.2: consecutive codes per length, shorter lengths first. */
    private static int[] canonicalCodes(int[] lengths) {
        int max = 0;
        for (int len : lengths) {
            max = Math.max(max, len);
        }
        int[] count = new int[max + 1];
        for (int len : lengths) {
            count[len]++;
        }
        count[0] = 0;
        int[] next = new int[max + 2];
        int code = 0;
        for (int bits = 1; bits <= max; bits++) {
            code = (code + count[bits - 1]) << 1;
            next[bits] = code;
        }
        int[] codes = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            int len = lengths[i];
            if (len != 0) {
                codes[i] = Integer.reverse(next[len]++) >>> (32 - len);
            }
        }
        return codes;
    }

    /** The bits this code spends on symbols with these frequencies. */
    long cost(int[] freq) {
        long bits = 0;
        for (int i = 0; i < freq.length; i++) {
            bits += (long) freq[i] * lengths[i];
        }
        return bits;
    }
}
