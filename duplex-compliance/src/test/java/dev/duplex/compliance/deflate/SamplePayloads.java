package dev.duplex.compliance.deflate;

import java.util.SplittableRandom;

/** Seeded payloads that compress about as real traffic does: words for text, skewed bytes for binary. */
final class SamplePayloads {
    private static final String[] WORDS = {
        "the", "socket", "frame", "deflate", "window", "message", "context", "takeover", "{\"id\":",
        "\"name\":", "\"value\":", "true", "false", "null", "[", "]", ",", "\n", "é", "€", "𝄞",
    };

    private SamplePayloads() {}

    /**
     * Exactly {@code size} bytes. Text is valid UTF-8 (multi-byte characters included; the end is
     * padded with ASCII so no character is cut); binary mixes runs, repeats and random bytes.
     */
    static byte[] compressible(int size, boolean text, SplittableRandom random) {
        byte[] out = new byte[size];
        int at = 0;
        if (text) {
            while (at < size) {
                byte[] word = (WORDS[random.nextInt(WORDS.length)] + (random.nextInt(4) == 0 ? random.nextInt(1000) : " "))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (at + word.length > size) {
                    while (at < size) {
                        out[at++] = 'x';
                    }
                    break;
                }
                System.arraycopy(word, 0, out, at, word.length);
                at += word.length;
            }
            return out;
        }
        while (at < size) {
            int run = Math.min(size - at, 1 + random.nextInt(64));
            switch (random.nextInt(3)) {
                case 0 -> java.util.Arrays.fill(out, at, at + run, (byte) random.nextInt(4));
                case 1 -> {
                    for (int i = 0; i < run; i++) {
                        out[at + i] = (byte) random.nextInt(256);
                    }
                }
                default -> {
                    int from = at == 0 ? 0 : random.nextInt(at);
                    for (int i = 0; i < run; i++) {
                        out[at + i] = at == 0 ? 0 : out[from + (i % Math.max(1, at - from))];
                    }
                }
            }
            at += run;
        }
        return out;
    }
}
