package dev.duplex.protocol.fuzz;

/**
 * Settings shared by the fuzz tests. Annotation values, so compile-time constants.
 */
final class FuzzTargets {
    /**
     * The time one input may take, in seconds: JUnit's {@code @Timeout} for each seed in a
     * normal build, and libFuzzer's {@code -timeout} when fuzzing (Jazzer translates one into
     * the other). Every target handles an input in well under a millisecond, and the
     * stretched inputs that hunt for super-linear parsing in a few milliseconds, so only
     * a hang or quadratic work reaches it.
     */
    static final long PER_INPUT_SECONDS = 2;

    /**
     * How long {@code JAZZER_FUZZ=1} fuzzes one target unless {@code JAZZER_MAX_DURATION}
     * says otherwise; ignored in a normal build, which only replays the seed corpus.
     */
    static final String MAX_DURATION = "2m";

    private FuzzTargets() {}
}
