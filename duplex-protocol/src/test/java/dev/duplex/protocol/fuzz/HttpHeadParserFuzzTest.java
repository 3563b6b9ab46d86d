package dev.duplex.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.DeflateNegotiation;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeOutcome;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import dev.duplex.protocol.handshake.OriginPolicy;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerHandshakeOptions;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP head parser fed arbitrary bytes, as a server parses requests and as a client parses
 * responses (rows A1–A7, A12–A15, A17, B5). For every input:
 * <ul>
 *   <li>the only exception is {@link HandshakeException}, with 400, 414, 431 or 505;
 *   <li>the head fed whole and fed in pieces gives the same head (or the same status), and the
 *       parser stops exactly after the blank line, leaving the bytes behind it unread;
 *   <li>a parsed request goes through {@link ServerHandshake#negotiate} (with subprotocols and
 *       permessage-deflate on), which answers and never throws;
 *   <li>time is linear: with the stretch option ({@link #stretch}) one byte of the head is
 *       repeated 100,000 times under limits large enough to let it through, so quadratic work
 *       would take seconds and trip the per-input timeout.
 * </ul>
 *
 * <p>Input layout: flags (bit 0 responses instead of requests, bit 1 large limits), the split
 * plan, the stretch option and two bytes of index ({@link #stretch}), then the head and
 * whatever follows it.
 */
class HttpHeadParserFuzzTest {
    private static final Set<Integer> STATUSES = Set.of(400, 414, 431, 505);
    private static final int STRETCH = 100_000;
    private static final HeadLimits LARGE = new HeadLimits(1 << 20, 1 << 20, 1 << 20, 1 << 22);
    private static final ServerHandshakeOptions SERVER = ServerHandshakeOptions.builder()
            .subprotocols("chat", "superchat")
            .originPolicy(OriginPolicy.allowing(List.of("https://example.com")))
            .extensions(HttpHeadParserFuzzTest::negotiateDeflate)
            .build();

    /** What feeding a head gave: the head, how many bytes it used, or the status it failed with. */
    record Outcome(String head, int consumed, int status) {}

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void headParserAnswersEveryInputWithAHeadOrAStatus(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        int plan = input.nextByte();
        int stretch = input.nextByte();
        int index = input.nextByte() << 8 | input.nextByte();
        boolean responses = (flags & 1) != 0;
        HeadLimits limits = (flags & 2) != 0 ? LARGE : HeadLimits.DEFAULTS;
        byte[] bytes = stretch(input.rest(), stretch, index);

        Outcome whole = parse(bytes, new byte[][] {bytes}, responses, limits);
        Outcome pieces = parse(bytes, FuzzInput.split(bytes, plan == 0 ? 1 : plan), responses, limits);
        assertEquals(whole, pieces, () -> "whole and in pieces (plan " + plan + ") differ for "
                + (bytes.length > 4096 ? bytes.length + " bytes" : HexFormat.of().formatHex(bytes)));
    }

    private static Outcome parse(byte[] all, byte[][] pieces, boolean responses, HeadLimits limits) {
        HttpHeadParser<?> parser = responses ? HttpHeadParser.forResponses(limits) : HttpHeadParser.forRequests(limits);
        int consumed = 0;
        try {
            for (byte[] piece : pieces) {
                ByteBuffer buffer = ByteBuffer.wrap(piece);
                Object head = parser.feed(buffer);
                consumed += buffer.position();
                if (head != null) {
                    int used = consumed;
                    assertTrue(used >= 4 && all[used - 4] == '\r' && all[used - 3] == '\n'
                            && all[used - 2] == '\r' && all[used - 1] == '\n',
                            () -> "the parser stopped at " + used + ", not just after a blank line");
                    return new Outcome(use(head), consumed, 0);
                }
                assertEquals(piece.length, buffer.position(), "an unfinished head consumes every byte");
            }
            return new Outcome(null, consumed, 0);
        } catch (HandshakeException e) {
            assertTrue(STATUSES.contains(e.status()), () -> "status " + e.status() + ": " + e.getMessage());
            return new Outcome(null, -1, e.status());
        }
    }

    /** Reads the head the way the server or client would, and describes it for comparison. */
    private static String use(Object head) {
        if (head instanceof HttpRequest request) {
            request.path();
            request.query();
            request.queryParameter("ticket");
            HandshakeOutcome outcome = ServerHandshake.negotiate(request, SERVER);
            if (outcome instanceof HandshakeOutcome.Accepted accepted) {
                assertTrue(accepted.subprotocol() == null || List.of("chat", "superchat").contains(accepted.subprotocol()),
                        "a subprotocol the server does not speak");
            }
            return request.method() + " " + request.target() + " " + request.version() + " " + request.headers().fields();
        }
        HttpResponse response = (HttpResponse) head;
        response.location();
        return response.status() + " " + response.reason() + " " + response.headers().fields();
    }

    /**
     * Repeats one byte of the input {@value #STRETCH} times in place when the low four bits of
     * {@code option} are all set (one input in sixteen, so that the fuzzer spends most of its
     * time on short inputs); the byte is the one at {@code index}, modulo the length.
     */
    static byte[] stretch(byte[] bytes, int option, int index) {
        if ((option & 0x0F) != 0x0F || bytes.length == 0) {
            return bytes;
        }
        int at = index % bytes.length;
        byte[] out = new byte[bytes.length + STRETCH - 1];
        System.arraycopy(bytes, 0, out, 0, at);
        Arrays.fill(out, at, at + STRETCH, bytes[at]);
        System.arraycopy(bytes, at + 1, out, at + STRETCH, bytes.length - at - 1);
        return out;
    }

    /** The server's permessage-deflate negotiation, as the transport does it. */
    private static List<ExtensionOffer> negotiateDeflate(List<ExtensionOffer> offers) {
        List<DeflateParameters> deflate = new ArrayList<>();
        for (ExtensionOffer offer : offers) {
            if (!offer.name().equals(PerMessageDeflate.NAME)) {
                continue;
            }
            List<Map.Entry<String, String>> params = new ArrayList<>();
            for (ExtensionParameter p : offer.params()) {
                params.add(new AbstractMap.SimpleImmutableEntry<>(p.name(), p.value()));
            }
            try {
                deflate.add(DeflateParameters.of(params));
            } catch (MalformedExtensionException e) {
                throw new HandshakeException(400, "malformed permessage-deflate offer");
            }
        }
        return DeflateNegotiation.serverAccept(deflate, PerMessageDeflate.Config.DEFAULTS)
                .map(agreement -> {
                    agreement.extension().close();
                    List<ExtensionParameter> params = new ArrayList<>();
                    agreement.response().parameters().forEach(p -> params.add(new ExtensionParameter(p.getKey(), p.getValue())));
                    return List.of(new ExtensionOffer(PerMessageDeflate.NAME, params));
                })
                .orElse(List.of());
    }
}
