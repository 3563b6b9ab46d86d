package dev.duplex.protocol;

import static dev.duplex.protocol.ConnectionTest.assertFails;
import static dev.duplex.protocol.ConnectionTest.fromPeer;
import static dev.duplex.protocol.ConnectionTest.headerFromPeer;
import static dev.duplex.protocol.ConnectionTest.open;
import static dev.duplex.protocol.RawFrames.BINARY;
import static dev.duplex.protocol.RawFrames.CONTINUATION;
import static dev.duplex.protocol.RawFrames.FIN_BINARY;
import static dev.duplex.protocol.RawFrames.FIN_CONTINUATION;
import static dev.duplex.protocol.RawFrames.FIN_TEXT;
import static dev.duplex.protocol.RawFrames.PING;
import static dev.duplex.protocol.RawFrames.TEXT;
import static dev.duplex.protocol.RawFrames.concat;
import static dev.duplex.protocol.RawFrames.counting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every limit at its edge: the limit itself passes, one more fails, and the failure is decided
 * from the header that passes it, before its payload (rows C9, C12, D1).
 */
class LimitsTest {

    static Stream<Arguments> rolesAndKinds() {
        return Stream.of(Role.values()).flatMap(role -> Stream.of(arguments(role, TEXT), arguments(role, BINARY)));
    }

    /** A payload valid both as text and as binary. */
    static byte[] payload(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'a');
        return bytes;
    }

    static String expected(int kind, byte[] bytes) {
        return kind == TEXT ? "Text[" + new String(bytes, java.nio.charset.StandardCharsets.US_ASCII) + "]"
                : "Binary[" + RawFrames.hex(bytes) + "]";
    }

    @ParameterizedTest
    @MethodSource("rolesAndKinds")
    void maxMessageSizeInOneFrame_limitPassesAndOneMoreGets1009AtTheHeader(Role role, int kind) {
        for (int limit : new int[] {0, 1, 125, 126, 1000, 0xffff, 0x10000}) {
            Limits limits = Limits.DEFAULTS.withMaxMessageSize(limit);
            byte[] exact = payload(limit);
            List<Event> events = Events.feed(open(role, limits), fromPeer(role, 0x80 | kind, exact));
            assertEquals(List.of(expected(kind, exact)), Events.describe(events), "limit " + limit);
            assertFails(open(role, limits), CloseStatus.MESSAGE_TOO_BIG, headerFromPeer(role, 0x80 | kind, limit + 1L));
        }
    }

    @ParameterizedTest
    @MethodSource("rolesAndKinds")
    void maxMessageSizeInFragments_limitPassesAndOneMoreGets1009AtTheHeader(Role role, int kind) {
        for (int limit : new int[] {2, 1000, 0x10000}) {
            Limits limits = Limits.DEFAULTS.withMaxMessageSize(limit);
            byte[] exact = payload(limit);
            int a = limit / 3;
            int b = limit / 2;
            List<Event> events = Events.feed(open(role, limits),
                    fromPeer(role, kind, Arrays.copyOfRange(exact, 0, a)),
                    fromPeer(role, CONTINUATION, Arrays.copyOfRange(exact, a, b)),
                    fromPeer(role, FIN_CONTINUATION, Arrays.copyOfRange(exact, b, limit)));
            assertEquals(List.of(expected(kind, exact)), Events.describe(events), "limit " + limit);

            assertFails(open(role, limits), CloseStatus.MESSAGE_TOO_BIG,
                    fromPeer(role, kind, Arrays.copyOfRange(exact, 0, a)),
                    fromPeer(role, CONTINUATION, Arrays.copyOfRange(exact, a, b)),
                    headerFromPeer(role, FIN_CONTINUATION, limit - b + 1L));
        }
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void defaultMaxMessageSize_oneMebibytePassesAndOneMoreGets1009(Role role) {
        int limit = (int) Limits.DEFAULT_MAX_MESSAGE_SIZE;
        byte[] exact = counting(limit);
        List<Event> events = Events.feed(open(role), fromPeer(role, FIN_BINARY, exact));
        assertEquals(1, events.size());
        assertArrayEquals(exact, ((Event.Binary) events.get(0)).data());
        assertFails(open(role), CloseStatus.MESSAGE_TOO_BIG, headerFromPeer(role, FIN_BINARY, limit + 1L));
        assertFails(open(role), CloseStatus.MESSAGE_TOO_BIG,
                fromPeer(role, BINARY, new byte[1]), headerFromPeer(role, FIN_CONTINUATION, limit));
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void maxMessageSizeDoesNotApplyToControlFrames(Role role) {
        Limits limits = Limits.DEFAULTS.withMaxMessageSize(0);
        assertEquals(List.of("Ping[" + RawFrames.hex(counting(125)) + "]"),
                Events.describe(Events.feed(open(role, limits), fromPeer(role, PING, counting(125)))));
    }

    @ParameterizedTest
    @MethodSource("rolesAndKinds")
    void maxFragments_limitPassesAndOneMoreGets1009AtTheHeader(Role role, int kind) {
        for (int max : new int[] {1, 2, 10}) {
            Limits limits = Limits.DEFAULTS.withMaxFragments(max);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < max; i++) {
                int b0 = (i == 0 ? kind : CONTINUATION) | (i == max - 1 ? 0x80 : 0);
                frames.add(fromPeer(role, b0, payload(1)));
            }
            List<Event> events = Events.feed(open(role, limits), concat(frames.toArray(byte[][]::new)));
            assertEquals(List.of(expected(kind, payload(max))), Events.describe(events), "max " + max);

            // The same frames with no FIN, then one more header.
            byte[] notLast = fromPeer(role, max == 1 ? kind : CONTINUATION, payload(1));
            frames.set(max - 1, notLast);
            assertFails(open(role, limits), CloseStatus.MESSAGE_TOO_BIG,
                    concat(frames.toArray(byte[][]::new)), headerFromPeer(role, FIN_CONTINUATION, 1));
        }
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void maxFragmentsDoesNotCountControlFrames(Role role) {
        Limits limits = Limits.DEFAULTS.withMaxFragments(2);
        List<Event> events = Events.feed(open(role, limits), concat(
                fromPeer(role, TEXT, payload(1)),
                fromPeer(role, PING, new byte[0]),
                fromPeer(role, PING, new byte[0]),
                fromPeer(role, FIN_CONTINUATION, payload(1))));
        assertEquals(List.of("Ping[]", "Ping[]", "Text[aa]"), Events.describe(events));
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void singleFrameMessagesNeverReachTheFragmentLimit(Role role) {
        Connection c = open(role, Limits.DEFAULTS.withMaxFragments(1));
        for (int i = 0; i < 10; i++) {
            assertEquals(List.of("Text[a]"), Events.describe(Events.feed(c, fromPeer(role, FIN_TEXT, payload(1)))));
        }
    }

    @Test
    void defaultsAreOneMebibyteFourThousandNinetySixFragmentsAndLenientLengths() {
        assertEquals(new Limits(1 << 20, 4096, false), Limits.DEFAULTS);
        assertFalse(Limits.DEFAULTS.strictLengthEncoding());
    }

    @Test
    void withersChangeOneField() {
        Limits l = Limits.DEFAULTS.withMaxMessageSize(7).withMaxFragments(3).withStrictLengthEncoding(true);
        assertEquals(new Limits(7, 3, true), l);
    }

    @Test
    void outOfRangeLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Limits(-1, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new Limits(Integer.MAX_VALUE - 7L, 1, false));
        assertThrows(IllegalArgumentException.class, () -> new Limits(10, 0, false));
        assertEquals(Integer.MAX_VALUE - 8L, new Limits(Integer.MAX_VALUE - 8L, 1, false).maxMessageSize());
    }
}
