package dev.duplex.compliance.catalogue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Catalogue section B is about the client's side of the opening handshake and masking, which
 * a server never does. Each row ends here as not applicable, naming the client tests that
 * check it ({@code dev.duplex.client.*} in duplex-lib, {@code compliance.peers.TlsClientTest}).
 */
@ExtendWith(RowWatcher.class)
class ClientRowsTest {
    @Test
    void B1_statusNot101FailsAndRedirectsAreOffByDefault() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B1_status200FailsWithTheStatusAndTheHead, "
                + "#B1_status403FailsWithTheStatus, #B1_redirectIsNotFollowedByDefault, "
                + "#B1_sameOriginRedirectIsFollowedWithCredentials, #B1_crossOriginRedirectDropsAuthorizationAndCookie, "
                + "#B1_atMostFiveRedirectsAreFollowed; TlsClientTest#B1_aRedirectFromWssToWsDropsAuthorizationAndCookie");
    }

    @Test
    void B2_wrongUpgradeConnectionOrAcceptFails() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B2toB4_a101WithAWrongFieldFailsTheHandshake");
    }

    @Test
    void B3_extensionNotOfferedOrOutOfRangeFailsAtTheHandshake() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B2toB4_a101WithAWrongFieldFailsTheHandshake, "
                + "ClientDeflateHandshakeTest#B3_aResponseBeyondTheOfferFailsTheHandshakeWithTheStatusAndTheHead; "
                + "DeflateNegotiationTest (duplex-protocol) for the parameters");
    }

    @Test
    void B4_subprotocolNotOfferedOrSeveralFails() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B2toB4_a101WithAWrongFieldFailsTheHandshake, "
                + "#B4_anOfferedSubprotocolIsSelected");
    }

    @Test
    void B5_framesInTheSameReadAsThe101AreDelivered() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B5_framesInTheSameReadAsThe101AreDelivered; "
                + "the server side of the same, pipelined frames, is A17 here");
    }

    @Test
    void B6_certificateForAnotherHostFails() {
        RowWatcher.notAServerRow("client row: TlsClientTest#B6_aTrustedCertificateForAnotherHostIsRefused, "
                + "#B6_skippingTheNameCheckStillRequiresATrustedChain; WssPythonInteropTest");
    }

    @Test
    void B7_reconnectStormIsSerialisedPerHost() {
        RowWatcher.notAServerRow("client row: ClientHandshakeTest#B7_onlyOneConnectionPerAddressIsConnectingAtATime "
                + "(one CONNECTING attempt per host, reconnects included); backoff with full jitter: "
                + "ReconnectTest#aHundredClientsThatLostOneServerSpreadTheirAttempts");
    }

    @Test
    void B8_maskingKeysAreFreshPerFrameFromACsprng() {
        RowWatcher.notAServerRow("client row: MaskingTest#B8_* (duplex-lib client tests)");
    }
}
