package dev.duplex.protocol;

import static dev.duplex.protocol.RawFrames.BINARY;
import static dev.duplex.protocol.RawFrames.CLOSE;
import static dev.duplex.protocol.RawFrames.CONTINUATION;
import static dev.duplex.protocol.RawFrames.FIN_BINARY;
import static dev.duplex.protocol.RawFrames.FIN_CONTINUATION;
import static dev.duplex.protocol.RawFrames.FIN_TEXT;
import static dev.duplex.protocol.RawFrames.PING;
import static dev.duplex.protocol.RawFrames.PONG;
import static dev.duplex.protocol.RawFrames.TEXT;
import static dev.duplex.protocol.RawFrames.closeBody;
import static dev.duplex.protocol.RawFrames.concat;
import static dev.duplex.protocol.RawFrames.counting;
import static dev.duplex.protocol.RawFrames.hex;
import static dev.duplex.protocol.RawFrames.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.duplex.protocol.Connection.State;
import dev.duplex.protocol.RawFrames.WireFrame;
import dev.duplex.protocol.frame.ClosePayload;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection state machine, grouped by RFC 6455 section, with the server and the client
 * role side by side. Tests of a security catalogue row carry its id. Every input is built by
 * hand ({@link RawFrames}), never by the encoder under test.
 */
class ConnectionTest {
    /** The key a test client masks with; any key will do, this one has four distinct bytes. */
    static final int PEER_KEY = 0xa1b2c3d4;

    static Connection open(Role role) {
        return open(role, Limits.DEFAULTS);
    }

    static Connection open(Role role, Limits limits) {
        return new Connection(role, limits, null, new SecureRandom());
    }

    /** The key the peer of {@code role} masks with: a client masks, a server does not (RFC 6455 5.1). */
    static Integer peerKey(Role role) {
        return role == Role.SERVER ? PEER_KEY : null;
    }

    /** A whole frame as the peer of {@code role} sends it. */
    static byte[] fromPeer(Role role, int b0, byte[] payload) {
        return RawFrames.frame(b0, payload, peerKey(role));
    }

    /** Only the header of a frame from the peer of {@code role}, announcing {@code length}. */
    static byte[] headerFromPeer(Role role, int b0, long length) {
        return RawFrames.header(b0, length, peerKey(role));
    }

    /** The frames queued for the peer, unmasked, taking them. */
    static List<WireFrame> outbound(Connection c) {
        List<WireFrame> frames = RawFrames.parse(c.takeOutbound());
        for (WireFrame f : frames) {
            assertEquals(c.role() == Role.CLIENT, f.masked(), "a client masks every frame, a server none: " + f);
        }
        return frames;
    }

    /**
     * Feeds the chunks and asserts that the connection fails with {@code code} on the last of
     * them: a Failure event, a close frame with the code queued, the connection closed.
     */
    static Event.Failure assertFails(Connection c, int code, byte[]... chunks) {
        byte[][] before = Arrays.copyOf(chunks, chunks.length - 1);
        List<Event> early = Events.feed(c, before);
        assertTrue(early.stream().noneMatch(e -> e instanceof Event.Failure),
                "failed before the last chunk: " + Events.describe(early));
        List<Event> events = Events.feed(c, chunks[chunks.length - 1]);
        Event.Failure failure = Events.lastFailure(events);
        assertEquals(code, failure.code(), failure.reason());
        assertFailedWith(c, code);
        return failure;
    }

    /** The connection failed: a close frame with the code is the last thing queued, and it is closed. */
    static void assertFailedWith(Connection c, int code) {
        List<WireFrame> out = outbound(c);
        assertFalse(out.isEmpty(), "a close frame is queued");
        WireFrame last = out.get(out.size() - 1);
        assertEquals(CLOSE, last.b0(), "last frame queued: " + last);
        assertEquals(code, last.closeCode());
        assertEquals(State.CLOSED, c.state());
        assertTrue(c.closeExpected(), "a failed connection closes TCP");
        assertNull(c.nextEvent(), "nothing follows a failure");
    }

    static List<String> eventsOf(Role role, byte[]... chunks) {
        return Events.describe(Events.feed(open(role), chunks));
    }

    @Nested
    class Framing {
        @Test
        void C1_unmaskedClientFrameGets1002() {
            byte[] unmaskedHello = hex("81 05 48 65 6c 6c 6f"); // RFC 6455 5.7
            assertFails(open(Role.SERVER), CloseStatus.PROTOCOL_ERROR, unmaskedHello);
            // Decided from the first two bytes.
            assertFails(open(Role.SERVER), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(unmaskedHello, 2));
        }

        @Test
        void C2_maskedServerFrameGets1002() {
            byte[] maskedHello = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"); // RFC 6455 5.7
            assertFails(open(Role.CLIENT), CloseStatus.PROTOCOL_ERROR, maskedHello);
            assertFails(open(Role.CLIENT), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(maskedHello, 2));
        }

        @Test
        void maskedClientFrameAndUnmaskedServerFrameAreAccepted() {
            assertEquals(List.of("Text[Hello]"), eventsOf(Role.SERVER, hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")));
            assertEquals(List.of("Text[Hello]"), eventsOf(Role.CLIENT, hex("81 05 48 65 6c 6c 6f")));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C3_reservedBitsWithoutAnExtensionGet1002(Role role) {
            for (int rsv : new int[] {0x40, 0x20, 0x10, 0x70}) {
                for (int b0 : new int[] {FIN_TEXT, FIN_BINARY, TEXT, PING, CLOSE}) {
                    byte[] header = headerFromPeer(role, b0 | rsv, 5);
                    assertFails(open(role), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(header, 2));
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C3_reservedBitsOnAContinuationGet1002(Role role) {
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR,
                    fromPeer(role, TEXT, utf8("Hel")), Arrays.copyOf(headerFromPeer(role, FIN_CONTINUATION | 0x40, 2), 2));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C5_reservedOpcodeGets1002FromTheFirstTwoBytes(Role role) {
            for (int opcode : new int[] {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
                for (int fin : new int[] {0x80, 0}) {
                    // The header announces a payload; only its first two bytes are fed.
                    byte[] header = headerFromPeer(role, fin | opcode, 1000);
                    Event.Failure f = assertFails(open(role), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(header, 2));
                    assertTrue(f.reason().contains("opcode"), f.reason());
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C5_reservedOpcodeInsideAFragmentedMessageGets1002(Role role) {
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR,
                    fromPeer(role, TEXT, utf8("Hel")), Arrays.copyOf(headerFromPeer(role, 0x83, 2), 2));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C6_controlFrameOver125BytesGets1002FromTheFirstTwoBytes(Role role) {
            for (int b0 : new int[] {PING, PONG, CLOSE}) {
                for (long length : new long[] {126, 0xffff, 0x10000}) {
                    byte[] header = headerFromPeer(role, b0, length);
                    assertFails(open(role), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(header, 2));
                }
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C6_fragmentedControlFrameGets1002(Role role) {
            for (int b0 : new int[] {PING & 0x0f, PONG & 0x0f, CLOSE & 0x0f}) {
                assertFails(open(role), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(headerFromPeer(role, b0, 0), 2));
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C6_controlFrameOfExactly125BytesIsAccepted(Role role) {
            Connection c = open(role);
            byte[] payload = counting(125);
            assertEquals(List.of("Ping[" + hex(payload) + "]"), Events.describe(Events.feed(c, fromPeer(role, PING, payload))));
            assertArrayEquals(payload, outbound(c).get(0).payload());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C7_continuationWithNothingToContinueGets1002(Role role) {
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR, fromPeer(role, FIN_CONTINUATION, utf8("x")));
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR, fromPeer(role, CONTINUATION, utf8("x")));
            // Nor after a message has ended.
            Connection c = open(role);
            List<Event> events = Events.feed(c, concat(fromPeer(role, FIN_TEXT, utf8("done")),
                    fromPeer(role, FIN_CONTINUATION, utf8("x"))));
            assertEquals(List.of("Text[done]", "Failure[1002]"), Events.describe(events));
            assertFailedWith(c, CloseStatus.PROTOCOL_ERROR);
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C7_newDataFrameInsideAFragmentedMessageGets1002(Role role) {
            for (int b0 : new int[] {FIN_TEXT, TEXT, FIN_BINARY, BINARY}) {
                // Refused at the header: the payload of the intruder never arrives.
                assertFails(open(role), CloseStatus.PROTOCOL_ERROR,
                        fromPeer(role, TEXT, utf8("Hel")), headerFromPeer(role, b0, 2));
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C8_pingAndPongBetweenFragmentsAreHandledAndTheMessageContinues(Role role) {
            Connection c = open(role);
            List<Event> events = Events.feed(c, concat(
                    fromPeer(role, TEXT, utf8("Hel")),
                    fromPeer(role, PING, utf8("p")),
                    fromPeer(role, PONG, utf8("q")),
                    fromPeer(role, FIN_CONTINUATION, utf8("lo"))));
            assertEquals(List.of("Ping[70]", "Pong[71]", "Text[Hello]"), Events.describe(events));
            List<WireFrame> out = outbound(c);
            assertEquals(1, out.size());
            assertEquals(PONG, out.get(0).b0());
            assertArrayEquals(utf8("p"), out.get(0).payload());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C8_closeBetweenFragmentsIsHandled(Role role) {
            Connection c = open(role);
            List<Event> events = Events.feed(c, concat(
                    fromPeer(role, TEXT, utf8("Hel")),
                    fromPeer(role, CLOSE, closeBody(1001, "away")),
                    fromPeer(role, FIN_CONTINUATION, utf8("lo"))));
            assertEquals(List.of("CloseReceived[1001, away]"), Events.describe(events));
            List<WireFrame> out = outbound(c);
            assertEquals(1, out.size());
            assertEquals(1001, out.get(0).closeCode());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C9_lengthWithTheTopBitSetGets1002FromTheHeaderAlone(Role role) {
            for (long length : new long[] {0x8000000000000000L, -1L, 0x8000000000000005L}) {
                byte[] header = RawFrames.header(FIN_BINARY, length, peerKey(role), 64);
                assertEquals(role == Role.SERVER ? 14 : 10, header.length);
                assertFails(open(role), CloseStatus.PROTOCOL_ERROR, header);
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C9_lengthOverTheLimitGets1009FromTheHeaderAlone(Role role) {
            // Had any of these been allocated, the test would run out of memory.
            long[] lengths = {Long.MAX_VALUE, 1L << 32, (1L << 32) + 5, Integer.MAX_VALUE + 1L,
                    Integer.MAX_VALUE, Limits.DEFAULT_MAX_MESSAGE_SIZE + 1};
            for (long length : lengths) {
                byte[] header = RawFrames.header(FIN_BINARY, length, peerKey(role), 64);
                Event.Failure f = assertFails(open(role), CloseStatus.MESSAGE_TOO_BIG, header);
                assertTrue(f.reason().contains("limit"), f.reason());
            }
            Connection small = open(role, Limits.DEFAULTS.withMaxMessageSize(1000));
            assertFails(small, CloseStatus.MESSAGE_TOO_BIG, RawFrames.header(FIN_TEXT, 1001, peerKey(role), 16));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C9_incompleteHeaderWaitsForTheRest(Role role) {
            byte[] header = RawFrames.header(FIN_BINARY, Long.MAX_VALUE, peerKey(role), 64);
            Connection c = open(role);
            assertEquals(List.of(), Events.feed(c, Arrays.copyOf(header, header.length - 1)));
            assertFails(c, CloseStatus.MESSAGE_TOO_BIG, new byte[] {header[header.length - 1]});
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C10_nonMinimalLengthsAreAcceptedByDefault(Role role) {
            byte[] stream = concat(
                    RawFrames.frame(FIN_TEXT, utf8("Hello"), peerKey(role), 16),
                    RawFrames.frame(FIN_TEXT, utf8("Hello"), peerKey(role), 64),
                    RawFrames.frame(FIN_BINARY, counting(200), peerKey(role), 64));
            assertEquals(List.of("Text[Hello]", "Text[Hello]", "Binary[" + hex(counting(200)) + "]"),
                    eventsOf(role, stream));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C10_controlFrameWithAnExtendedLengthGets1002EvenWhenLenient(Role role) {
            // Decided from the first two bytes (row C6): a control frame's length must fit in 7 bits.
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(RawFrames.frame(PING, utf8("p"), peerKey(role), 16), 2));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C10_nonMinimalLengthsGet1002InStrictMode(Role role) {
            Limits strict = Limits.DEFAULTS.withStrictLengthEncoding(true);
            Object[][] cases = {{5L, 16}, {125L, 16}, {5L, 64}, {0xffffL, 64}};
            for (Object[] k : cases) {
                byte[] header = RawFrames.header(FIN_BINARY, (long) k[0], peerKey(role), (int) k[1]);
                assertFails(open(role, strict), CloseStatus.PROTOCOL_ERROR, header);
            }
            // The shortest encodings pass, at the edges of each width.
            Connection c = open(role, strict);
            List<Event> events = Events.feed(c, concat(
                    RawFrames.frame(FIN_BINARY, counting(125), peerKey(role), 7),
                    RawFrames.frame(FIN_BINARY, counting(126), peerKey(role), 16),
                    RawFrames.frame(FIN_BINARY, counting(0xffff), peerKey(role), 16),
                    RawFrames.frame(FIN_BINARY, counting(0x10000), peerKey(role), 64)));
            assertEquals(4, events.size(), Events.describe(events).toString());
            assertEquals(0x10000, ((Event.Binary) events.get(3)).data().length);
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C12_endlessEmptyContinuationsGet1009AtMaxFragmentsPlusOne(Role role) {
            int max = Limits.DEFAULT_MAX_FRAGMENTS;
            byte[] first = fromPeer(role, TEXT, new byte[0]);
            byte[] more = fromPeer(role, CONTINUATION, new byte[0]);
            byte[] last = fromPeer(role, FIN_CONTINUATION, new byte[0]);

            // Exactly max frames make a message.
            List<byte[]> frames = new ArrayList<>();
            frames.add(first);
            for (int i = 2; i < max; i++) {
                frames.add(more);
            }
            frames.add(last);
            Connection c = open(role);
            assertEquals(List.of("Text[]"), Events.describe(Events.feed(c, concat(frames.toArray(byte[][]::new)))));

            // One more is refused at its header, whatever it says.
            frames.set(frames.size() - 1, more);
            Connection d = open(role);
            assertEquals(List.of(), Events.feed(d, concat(frames.toArray(byte[][]::new))));
            assertFails(d, CloseStatus.MESSAGE_TOO_BIG, last);
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C13_nothingIsProcessedAfterAFailure(Role role) {
            Connection c = open(role);
            assertFails(c, CloseStatus.PROTOCOL_ERROR, Arrays.copyOf(headerFromPeer(role, 0x83, 0), 2));
            ByteBuffer more = ByteBuffer.wrap(concat(fromPeer(role, FIN_TEXT, utf8("Hello")), fromPeer(role, PING, utf8("p"))));
            c.receiveData(more);
            assertFalse(more.hasRemaining(), "the bytes are taken and dropped");
            assertNull(c.nextEvent());
            assertFalse(c.hasOutbound(), "no pong after a failure");
            c.receiveEof();
            assertNull(c.nextEvent(), "not even the end of the stream is reported");
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C13_nothingIsProcessedAfterTheCloseFrame(Role role) {
            Connection c = open(role);
            List<Event> events = Events.feed(c, concat(
                    fromPeer(role, CLOSE, closeBody(1000, "")),
                    fromPeer(role, FIN_TEXT, utf8("Hello")),
                    fromPeer(role, PING, utf8("p"))));
            assertEquals(List.of("CloseReceived[1000, ]"), Events.describe(events));
            assertEquals(List.of(), Events.feed(c, fromPeer(role, FIN_TEXT, utf8("more"))));
            List<WireFrame> out = outbound(c);
            assertEquals(1, out.size(), "only the close reply: " + out);
            assertEquals(1000, out.get(0).closeCode());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void C13_nothingIsProcessedAfterTheEndOfTheStream(Role role) {
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(Arrays.copyOf(fromPeer(role, FIN_TEXT, utf8("Hello")), 4)));
            c.receiveEof();
            assertEquals(List.of("EndOfStream"), Events.describe(Events.drain(c)), "reported once");
            assertEquals(List.of(), Events.feed(c, fromPeer(role, FIN_TEXT, utf8("Hello"))));
            assertEquals(State.CLOSED, c.state());
            assertTrue(c.closeExpected());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void endOfStreamComesAfterTheEventsBeforeIt(Role role) {
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(concat(fromPeer(role, FIN_TEXT, utf8("a")), fromPeer(role, FIN_TEXT, utf8("b")))));
            c.receiveEof();
            assertEquals(List.of("Text[a]", "Text[b]", "EndOfStream"), Events.describe(Events.drain(c)));
        }
    }

    /** Row C11: the streams that are fed whole, split in two at every byte, and byte by byte. */
    static Stream<Arguments> streams() {
        List<Arguments> streams = new ArrayList<>();
        for (Role role : Role.values()) {
            Integer key = peerKey(role);
            streams.add(arguments(role, "messages, fragments and control frames", concat(
                    fromPeer(role, FIN_TEXT, utf8("Hello")),
                    fromPeer(role, TEXT, utf8("Hel")),
                    fromPeer(role, PING, utf8("Hello")),
                    fromPeer(role, FIN_CONTINUATION, utf8("lo")),
                    fromPeer(role, FIN_BINARY, counting(256)),
                    fromPeer(role, PONG, new byte[0]),
                    fromPeer(role, TEXT, hex("e2 82")),
                    fromPeer(role, CONTINUATION, new byte[0]),
                    fromPeer(role, FIN_CONTINUATION, hex("ac f0 9f 98 80")),
                    RawFrames.frame(FIN_TEXT, utf8("non-minimal"), key, 64),
                    fromPeer(role, PING, utf8("1")),
                    fromPeer(role, PING, utf8("2")),
                    fromPeer(role, CLOSE, closeBody(1000, "bye")),
                    fromPeer(role, FIN_TEXT, utf8("ignored")))));
            streams.add(arguments(role, "invalid UTF-8 inside a frame", concat(
                    fromPeer(role, FIN_TEXT, utf8("ok")),
                    fromPeer(role, FIN_TEXT, hex("41 42 ed a0 80 43")))));
            streams.add(arguments(role, "reserved opcode after a message", concat(
                    fromPeer(role, FIN_TEXT, utf8("ok")),
                    fromPeer(role, 0x8b, utf8("x")))));
            streams.add(arguments(role, "length over the limit", concat(
                    fromPeer(role, FIN_BINARY, counting(300)),
                    RawFrames.header(FIN_BINARY, Long.MAX_VALUE, key, 64))));
            streams.add(arguments(role, "invalid close code", concat(
                    fromPeer(role, PING, utf8("x")),
                    fromPeer(role, CLOSE, closeBody(1005, "")))));
            streams.add(arguments(role, "empty close", fromPeer(role, CLOSE, new byte[0])));
        }
        return streams.stream();
    }

    record Outcome(List<String> events, List<String> outbound, State state) {}

    static Outcome run(Role role, List<byte[]> chunks) {
        Connection c = open(role);
        List<Event> events = Events.feed(c, chunks.toArray(byte[][]::new));
        return new Outcome(Events.describe(events), outbound(c).stream().map(WireFrame::toString).toList(), c.state());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("streams")
    void C11_everySplitGivesTheSameEvents(Role role, String name, byte[] stream) {
        Outcome whole = run(role, List.of(stream));
        assertFalse(whole.events().isEmpty());
        for (int cut = 0; cut <= stream.length; cut++) {
            Outcome split = run(role, List.of(Arrays.copyOf(stream, cut), Arrays.copyOfRange(stream, cut, stream.length)));
            assertEquals(whole, split, "split at " + cut);
        }
        Connection c = open(role);
        List<Event> bytewise = Events.feedBytewise(c, stream);
        assertEquals(whole, new Outcome(Events.describe(bytewise),
                outbound(c).stream().map(WireFrame::toString).toList(), c.state()), "one byte at a time");

        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < 50; round++) {
            List<byte[]> chunks = new ArrayList<>();
            for (int at = 0; at < stream.length; ) {
                int n = Math.min(stream.length - at, random.nextInt(1, 12));
                chunks.add(Arrays.copyOfRange(stream, at, at + n));
                at += n;
            }
            assertEquals(whole, run(role, chunks), "random chunks, seed " + seed + " (rerun with -Dduplex.test.seed=" + seed + ")");
        }
    }

    @Nested
    class Messages {
        @ParameterizedTest
        @EnumSource(Role.class)
        void D1_fragmentsSummingOverTheLimitGet1009AsSoonAsTheSumPassesIt(Role role) {
            Limits limits = Limits.DEFAULTS.withMaxMessageSize(100);
            // limit bytes: a message.
            assertEquals(List.of("Binary[" + hex(counting(100)) + "]"), Events.describe(Events.feed(open(role, limits),
                    fromPeer(role, BINARY, counting(60)), fromPeer(role, FIN_CONTINUATION, Arrays.copyOfRange(counting(100), 60, 100)))));
            // limit + 1 bytes: refused at the header of the fragment that passes it, its payload unsent.
            assertFails(open(role, limits), CloseStatus.MESSAGE_TOO_BIG,
                    fromPeer(role, BINARY, counting(60)), headerFromPeer(role, FIN_CONTINUATION, 41));
            // The same with a fragment that is not the last.
            assertFails(open(role, limits), CloseStatus.MESSAGE_TOO_BIG,
                    fromPeer(role, TEXT, utf8("a".repeat(100))), headerFromPeer(role, CONTINUATION, 1));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void binaryPayloadArrivingAfterItsHeaderGoesStraightToTheMessageAndLeavesTheCallersBytesAlone(Role role) {
            // The payload that follows a header already decoded is copied (and unmasked) into
            // the message as it arrives; what follows it in the same read is decoded in turn.
            byte[] payload = counting(5000);
            byte[] frame = fromPeer(role, FIN_BINARY, payload);
            byte[] ping = fromPeer(role, PING, utf8("p"));
            Connection c = open(role);
            List<Event> events = new ArrayList<>(Events.feed(c, Arrays.copyOfRange(frame, 0, 1000)));
            assertEquals(List.of(), Events.describe(events));
            byte[] rest = concat(Arrays.copyOfRange(frame, 1000, frame.length), ping);
            byte[] restAsSent = rest.clone();
            events.addAll(Events.feed(c, rest));
            assertEquals(List.of("Binary[" + hex(payload) + "]", "Ping[70]"), Events.describe(events));
            assertArrayEquals(restAsSent, rest, "the caller's buffer is not unmasked in place");
            assertEquals(State.OPEN, c.state());
        }

        @Test
        void H6_sendMessageCopyKeepsNoReferenceToTheCallersPayload() {
            Connection c = open(Role.SERVER);
            byte[] payload = counting(10_000); // over the size a server otherwise queues by reference
            c.sendMessageCopy(Opcode.BINARY, ByteBuffer.wrap(payload), true);
            Arrays.fill(payload, (byte) 0);
            List<ByteBuffer> queued = c.takeOutbound();
            assertEquals(1, queued.size(), "header and payload in one buffer: one write");
            List<WireFrame> frames = RawFrames.parse(queued);
            assertEquals(1, frames.size());
            assertArrayEquals(counting(10_000), frames.get(0).payload());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D2_fragmentAndSizeCountersResetPerMessage(Role role) {
            Connection c = open(role, new Limits(10, 3, false));
            for (int message = 0; message < 5; message++) {
                List<Event> events = Events.feed(c,
                        fromPeer(role, TEXT, utf8("abcd")),
                        fromPeer(role, CONTINUATION, utf8("efg")),
                        fromPeer(role, FIN_CONTINUATION, utf8("hij")));
                assertEquals(List.of("Text[abcdefghij]"), Events.describe(events), "message " + message);
            }
            assertEquals(State.OPEN, c.state());
        }

        static Stream<Arguments> invalidUtf8() {
            return Stream.of(
                    arguments("overlong '/' in 2 bytes", "c0 af"),
                    arguments("overlong C1", "c1 bf"),
                    arguments("overlong '/' in 3 bytes", "e0 80 af"),
                    arguments("overlong U+07FF in 3 bytes", "e0 9f bf"),
                    arguments("overlong '/' in 4 bytes", "f0 80 80 af"),
                    arguments("overlong U+FFFF in 4 bytes", "f0 8f bf bf"),
                    arguments("high surrogate U+D800", "ed a0 80"),
                    arguments("low surrogate U+DFFF", "ed bf bf"),
                    arguments("surrogate pair as CESU-8", "ed a0 bd ed b8 80"),
                    arguments("U+110000", "f4 90 80 80"),
                    arguments("lead byte F5", "f5 80 80 80"),
                    arguments("5-byte form", "f8 88 80 80 80"),
                    arguments("byte FF", "ff"),
                    arguments("lone continuation", "80"),
                    arguments("continuation after ASCII", "41 bf"),
                    arguments("lead byte without its tail", "c3 41"),
                    arguments("truncated 2-byte at the end", "c3"),
                    arguments("truncated 3-byte at the end", "e2 82"),
                    arguments("truncated 4-byte at the end", "f0 9f 98"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidUtf8")
        void D4_invalidUtf8Gets1007(String name, String bytes) {
            for (Role role : Role.values()) {
                byte[] payload = concat(utf8("ab"), hex(bytes));
                assertFails(open(role), CloseStatus.INVALID_PAYLOAD, fromPeer(role, FIN_TEXT, payload));
                // And when the message is fragmented, one byte a frame.
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < payload.length; i++) {
                    frames.add(fromPeer(role, i == 0 ? TEXT : CONTINUATION, new byte[] {payload[i]}));
                }
                frames.add(fromPeer(role, FIN_CONTINUATION, new byte[0]));
                List<Event> events = Events.feed(open(role), concat(frames.toArray(byte[][]::new)));
                assertEquals(List.of("Failure[1007]"), Events.describe(events), role + " " + name);
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D4_invalidUtf8FailsAtTheFirstBadByteInsideAnUnfinishedFrame(Role role) {
            byte[] payload = concat(utf8("Hello"), hex("c0"), utf8("x".repeat(94)));
            byte[] frame = RawFrames.frame(FIN_TEXT, payload, peerKey(role));
            int header = frame.length - payload.length;
            // The header announces 100 bytes; only "Hello" arrives: nothing to say yet.
            Connection c = open(role);
            assertEquals(List.of(), Events.feed(c, Arrays.copyOf(frame, header + 5)));
            // The bad byte arrives: failure, with 94 bytes of the frame still to come.
            assertFails(c, CloseStatus.INVALID_PAYLOAD, Arrays.copyOfRange(frame, header + 5, header + 6));

            // A surrogate is known to be bad at its second byte.
            byte[] surrogate = RawFrames.frame(FIN_TEXT, concat(utf8("ab"), hex("ed a0 80"), utf8("cd")), peerKey(role));
            Connection d = open(role);
            assertEquals(List.of(), Events.feed(d, Arrays.copyOf(surrogate, surrogate.length - 4)));
            assertFails(d, CloseStatus.INVALID_PAYLOAD, Arrays.copyOfRange(surrogate, surrogate.length - 4, surrogate.length - 3));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D4_invalidUtf8FailsBeforeTheMessageEnds(Role role) {
            assertFails(open(role), CloseStatus.INVALID_PAYLOAD,
                    fromPeer(role, TEXT, utf8("fine")), fromPeer(role, CONTINUATION, hex("41 ff")));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D4_truncationAtTheEndOfAFragmentedMessageGets1007(Role role) {
            assertFails(open(role), CloseStatus.INVALID_PAYLOAD,
                    fromPeer(role, TEXT, hex("41 e2 82")), fromPeer(role, FIN_CONTINUATION, new byte[0]));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D4_codePointSplitAcrossFragmentsIsValid(Role role) {
            List<Event> events = Events.feed(open(role), concat(
                    fromPeer(role, TEXT, hex("e2")),
                    fromPeer(role, CONTINUATION, hex("82")),
                    fromPeer(role, FIN_CONTINUATION, hex("ac")),
                    fromPeer(role, TEXT, hex("f0")),
                    fromPeer(role, CONTINUATION, hex("9f")),
                    fromPeer(role, PING, new byte[0]),
                    fromPeer(role, CONTINUATION, hex("98")),
                    fromPeer(role, FIN_CONTINUATION, hex("80 21"))));
            assertEquals(List.of("Text[\u20ac]", "Ping[]", "Text[\ud83d\ude00!]"), Events.describe(events));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void D5_noncharactersReplacementCharacterAndBomAreAccepted(Role role) {
            String[] texts = {
                "\ufdd0\ufdef", "\ufffe\uffff", "\ud83f\udffe\ud83f\udfff", "\udbff\udfff", // noncharacters, U+10FFFF
                "\ufffd", "\ufeffBOM first", "\u0000", "\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\ud800\udc00"};
            for (String text : texts) {
                assertEquals(List.of("Text[" + text + "]"), eventsOf(role, fromPeer(role, FIN_TEXT, utf8(text))),
                        hex(utf8(text)));
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void binaryMessagesAreNotCheckedAsText(Role role) {
            byte[] bytes = hex("c0 af ed a0 80 ff");
            assertEquals(List.of("Binary[" + hex(bytes) + "]"), eventsOf(role, fromPeer(role, FIN_BINARY, bytes)));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void emptyMessagesAreMessages(Role role) {
            assertEquals(List.of("Text[]", "Binary[]", "Text[]"), eventsOf(role, concat(
                    fromPeer(role, FIN_TEXT, new byte[0]),
                    fromPeer(role, FIN_BINARY, new byte[0]),
                    fromPeer(role, TEXT, new byte[0]),
                    fromPeer(role, FIN_CONTINUATION, new byte[0]))));
        }
    }

    @Nested
    class Closing {
        @ParameterizedTest
        @EnumSource(Role.class)
        void E1_closeBodyOfOneByteGets1002(Role role) {
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR, fromPeer(role, CLOSE, hex("03")));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E1_closeBodyOver125BytesGets1002(Role role) {
            byte[] body = closeBody(1000, "r".repeat(124));
            assertEquals(126, body.length);
            assertFails(open(role), CloseStatus.PROTOCOL_ERROR, fromPeer(role, CLOSE, body));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E1_closeReasonOf123BytesIsAccepted(Role role) {
            String reason = "r".repeat(123);
            assertEquals(List.of("CloseReceived[1000, " + reason + "]"),
                    eventsOf(role, fromPeer(role, CLOSE, closeBody(1000, reason))));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E2_emptyCloseIsAnsweredWithAnEmptyCloseAndReports1005(Role role) {
            Connection c = open(role);
            assertEquals(List.of("CloseReceived[1005, ]"), Events.describe(Events.feed(c, fromPeer(role, CLOSE, new byte[0]))));
            List<WireFrame> out = outbound(c);
            assertEquals(1, out.size());
            assertEquals(CLOSE, out.get(0).b0());
            assertEquals(0, out.get(0).payload().length, "1005 never goes on the wire");
            assertEquals(1005, c.peerClose().code());
            assertEquals(State.CLOSED, c.state());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E3_invalidReceivedCodesGet1002(Role role) {
            for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
                Event.Failure f = assertFails(open(role), CloseStatus.PROTOCOL_ERROR, fromPeer(role, CLOSE, closeBody(code, "")));
                assertTrue(f.reason().contains(Integer.toString(code)), f.reason());
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E4_validReceivedCodesCompleteTheCloseAndTheReplyEchoesTheCode(Role role) {
            int[] codes = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
            for (int code : codes) {
                Connection c = open(role);
                List<Event> events = Events.feed(c, fromPeer(role, CLOSE, closeBody(code, "why")));
                assertEquals(List.of("CloseReceived[" + code + ", why]"), Events.describe(events));
                List<WireFrame> out = outbound(c);
                assertEquals(1, out.size(), "code " + code);
                assertEquals(code, out.get(0).closeCode());
                assertEquals(State.CLOSED, c.state());
                assertEquals(new ClosePayload(code, "why"), c.peerClose());
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E5_theApiRefusesCodesThatMayNotBeSent(Role role) {
            Connection c = open(role);
            for (int code : new int[] {1005, 1006, 1015, 0, 999, 1004, 1016, 2999, 5000}) {
                assertThrows(IllegalArgumentException.class, () -> c.close(code, ""), "code " + code);
            }
            assertFalse(c.hasOutbound(), "nothing queued for a refused close");
            assertEquals(State.OPEN, c.state());
            c.sendText("still open", true);
            assertEquals(1, outbound(c).size());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E5_theApiRefusesAReasonOver123Bytes(Role role) {
            Connection c = open(role);
            assertThrows(IllegalArgumentException.class, () -> c.close(1000, "a".repeat(124)));
            assertThrows(IllegalArgumentException.class, () -> c.close(1000, "\u20ac".repeat(41) + "a"));
            assertEquals(State.OPEN, c.state());
            c.close(1000, "\u20ac".repeat(41)); // 123 bytes
            WireFrame close = outbound(c).get(0);
            assertEquals(125, close.payload().length);
            assertEquals("\u20ac".repeat(41), close.closeReason());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E5_theApiRefusesAnUnpairedSurrogate(Role role) {
            Connection c = open(role);
            for (String reason : new String[] {"\ud800", "a\udc00b", "\ud800x", "x\ud83d"}) {
                assertThrows(IllegalArgumentException.class, () -> c.close(1000, reason), reason);
                assertThrows(IllegalArgumentException.class, () -> c.sendText(reason, true), reason);
            }
            assertFalse(c.hasOutbound());
            assertEquals(State.OPEN, c.state());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E6_invalidUtf8InTheCloseReasonGets1007(Role role) {
            // Autobahn 7.5.1: a reason with an encoded surrogate in it.
            byte[] body = concat(hex("03 e8"), hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"));
            assertFails(open(role), CloseStatus.INVALID_PAYLOAD, fromPeer(role, CLOSE, body));
            assertFails(open(role), CloseStatus.INVALID_PAYLOAD, fromPeer(role, CLOSE, hex("03 e8 e2 82")));
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void E8_sendAfterCloseThrowsIllegalStateException(Role role) {
            Connection closed = open(role);
            closed.close(1000, "");
            assertSendsRefused(closed);

            Connection answered = open(role);
            Events.feed(answered, fromPeer(role, CLOSE, closeBody(1000, "")));
            assertSendsRefused(answered);

            Connection failed = open(role);
            Events.feed(failed, Arrays.copyOf(headerFromPeer(role, 0x83, 0), 2));
            assertSendsRefused(failed);
        }

        static void assertSendsRefused(Connection c) {
            c.takeOutbound();
            ByteBuffer empty = ByteBuffer.allocate(0);
            assertThrows(IllegalStateException.class, () -> c.sendText("x", true));
            assertThrows(IllegalStateException.class, () -> c.sendBinary(ByteBuffer.allocate(1), true));
            assertThrows(IllegalStateException.class, () -> c.sendMessage(Opcode.TEXT, empty, false));
            assertThrows(IllegalStateException.class, () -> c.sendFragment(Opcode.BINARY, empty, false));
            assertThrows(IllegalStateException.class, () -> c.sendPing(empty));
            assertThrows(IllegalStateException.class, () -> c.sendPong(empty));
            c.close(1000, "again"); // a no-op, not an error
            assertFalse(c.hasOutbound(), "nothing queued after the close frame");
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void messagesStillArriveWhileThisEndWaitsForTheCloseReply(Role role) {
            Connection c = open(role);
            c.close(1001, "going");
            assertEquals(1001, outbound(c).get(0).closeCode());
            assertEquals(State.CLOSING, c.state());
            List<Event> events = Events.feed(c, concat(
                    fromPeer(role, FIN_TEXT, utf8("late")),
                    fromPeer(role, PING, utf8("p")),
                    fromPeer(role, CLOSE, closeBody(1001, ""))));
            assertEquals(List.of("Text[late]", "Ping[70]", "CloseReceived[1001, ]"), Events.describe(events));
            assertEquals(List.of(), outbound(c), "no pong and no second close once the close frame is sent");
            assertEquals(State.CLOSED, c.state());
        }
    }

    @Nested
    class ControlFrames {
        @ParameterizedTest
        @EnumSource(Role.class)
        void F1_pingIsAnsweredWithAPongCarryingTheSamePayload(Role role) {
            for (byte[] payload : new byte[][] {new byte[0], utf8("Hello"), counting(125)}) {
                Connection c = open(role);
                assertEquals(List.of("Ping[" + hex(payload) + "]"), Events.describe(Events.feed(c, fromPeer(role, PING, payload))));
                List<WireFrame> out = outbound(c);
                assertEquals(1, out.size());
                assertEquals(PONG, out.get(0).b0());
                assertArrayEquals(payload, out.get(0).payload());
            }
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void F1_severalPingsBeforeTakeOutboundAreAnsweredOnlyForTheLatest(Role role) {
            Connection c = open(role);
            List<Event> events = Events.feed(c,
                    concat(fromPeer(role, PING, utf8("1")), fromPeer(role, PING, utf8("2"))),
                    fromPeer(role, PING, utf8("3")));
            assertEquals(List.of("Ping[31]", "Ping[32]", "Ping[33]"), Events.describe(events));
            List<WireFrame> out = outbound(c);
            assertEquals(1, out.size(), out.toString());
            assertArrayEquals(utf8("3"), out.get(0).payload());

            // Once the pong has been taken, the next ping gets its own.
            Events.feed(c, fromPeer(role, PING, utf8("4")));
            assertArrayEquals(utf8("4"), outbound(c).get(0).payload());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void F2_unsolicitedPongIsReportedAndNothingIsQueued(Role role) {
            Connection c = open(role);
            assertEquals(List.of("Pong[6869]"), Events.describe(Events.feed(c, fromPeer(role, PONG, utf8("hi")))));
            assertFalse(c.hasOutbound());
            assertEquals(State.OPEN, c.state());
        }
    }

    @Nested
    class Ordering {
        @ParameterizedTest
        @EnumSource(Role.class)
        void messageBeforeABadFrameComesFirstAndTheReplyGoesOutBeforeTheCloseFrame(Role role) {
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(concat(fromPeer(role, FIN_TEXT, utf8("Hello")), fromPeer(role, 0x83, new byte[0]))));
            assertEquals("Text[Hello]", Events.describe(c.nextEvent()));
            assertEquals(State.OPEN, c.state(), "the bad frame is not read before its turn");
            c.sendText("Hello back", true);
            assertEquals("Failure[1002]", Events.describe(c.nextEvent()));
            List<WireFrame> out = outbound(c);
            assertEquals(2, out.size(), out.toString());
            assertEquals(FIN_TEXT, out.get(0).b0());
            assertArrayEquals(utf8("Hello back"), out.get(0).payload());
            assertEquals(1002, out.get(1).closeCode());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void replyToAMessageGoesOutBeforeThePongForAPingAfterIt(Role role) {
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(concat(fromPeer(role, FIN_TEXT, utf8("q")), fromPeer(role, PING, utf8("p")))));
            assertEquals("Text[q]", Events.describe(c.nextEvent()));
            c.sendText("a", true);
            assertEquals("Ping[70]", Events.describe(c.nextEvent()));
            List<WireFrame> out = outbound(c);
            assertEquals(List.of(FIN_TEXT, PONG), out.stream().map(WireFrame::b0).toList());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void F1_pongForALaterPingDoesNotOvertakeAReplyQueuedBeforeIt(Role role) {
            // ping 1, message, ping 2 in one read; the reply to the message is sent between them.
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(concat(
                    fromPeer(role, PING, utf8("1")), fromPeer(role, FIN_TEXT, utf8("q")), fromPeer(role, PING, utf8("2")))));
            assertEquals("Ping[31]", Events.describe(c.nextEvent()));
            assertEquals("Text[q]", Events.describe(c.nextEvent()));
            c.sendText("a", true);
            assertEquals("Ping[32]", Events.describe(c.nextEvent()));
            List<WireFrame> out = outbound(c);
            assertEquals(List.of(FIN_TEXT, PONG), out.stream().map(WireFrame::b0).toList(), out.toString());
            assertArrayEquals(utf8("2"), out.get(1).payload(), "only the latest ping is answered");
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void replyToAMessageGoesOutBeforeTheCloseReply(Role role) {
            Connection c = open(role);
            c.receiveData(ByteBuffer.wrap(concat(fromPeer(role, FIN_TEXT, utf8("q")), fromPeer(role, CLOSE, closeBody(1000, "")))));
            assertEquals("Text[q]", Events.describe(c.nextEvent()));
            c.sendText("a", true);
            assertEquals("CloseReceived[1000, ]", Events.describe(c.nextEvent()));
            assertEquals(List.of(FIN_TEXT, CLOSE), outbound(c).stream().map(WireFrame::b0).toList());
        }
    }

    @Nested
    class States {
        @ParameterizedTest
        @EnumSource(Role.class)
        void thisEndClosesFirst_openClosingClosed(Role role) {
            Connection c = open(role);
            assertEquals(State.OPEN, c.state());
            assertFalse(c.isCloseSent());
            c.close(1000, "done");
            assertEquals(State.CLOSING, c.state());
            assertTrue(c.isCloseSent());
            assertFalse(c.closeExpected(), "the close handshake is not complete");
            WireFrame close = outbound(c).get(0);
            assertEquals(1000, close.closeCode());
            assertEquals("done", close.closeReason());
            Events.feed(c, fromPeer(role, CLOSE, closeBody(1000, "")));
            assertEquals(State.CLOSED, c.state());
            // RFC 6455 7.1.1: the server closes TCP first; the client waits for it.
            assertEquals(role == Role.SERVER, c.closeExpected());
            assertEquals(List.of(), outbound(c), "no second close frame");
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void peerClosesFirst_openThenClosedOnceTheReplyIsQueued(Role role) {
            Connection c = open(role);
            assertEquals(State.OPEN, c.state());
            Events.feed(c, fromPeer(role, CLOSE, closeBody(1000, "")));
            assertEquals(State.CLOSED, c.state());
            assertEquals(role == Role.SERVER, c.closeExpected());
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void failureClosesAtOnceAndExpectsTcpToClose(Role role) {
            Connection c = open(role);
            Event.Failure f = c.fail(CloseStatus.INTERNAL_ERROR, "keepalive timeout");
            assertEquals(CloseStatus.INTERNAL_ERROR, f.code());
            assertFailedWith(c, CloseStatus.INTERNAL_ERROR);
        }

        @ParameterizedTest
        @EnumSource(Role.class)
        void failureAfterThisEndClosedQueuesNoSecondCloseFrame(Role role) {
            Connection c = open(role);
            c.close(1000, "");
            c.takeOutbound();
            assertEquals(List.of("Failure[1002]"), Events.describe(Events.feed(c, fromPeer(role, FIN_CONTINUATION, new byte[0]))));
            assertFalse(c.hasOutbound());
            assertEquals(State.CLOSED, c.state());
        }

        @Test
        void failureReasonIsCutToFitACloseFrame() {
            Connection c = open(Role.SERVER);
            Event.Failure f = c.fail(CloseStatus.POLICY_VIOLATION, "\u20ac".repeat(100));
            assertEquals("\u20ac".repeat(41), f.reason());
            assertEquals(f.reason(), outbound(c).get(0).closeReason());
        }
    }
}
