package dev.duplex.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Row H5 at its edge: a message stays charged to the server's budget while its handler holds
 * it, so handlers that block cannot pin a message each beyond the budget. One connection's
 * handler holds a message of {@code HELD} bytes; another's message then fits the rest of the
 * budget exactly, and a third's passes it by one byte (1013).
 */
class HeldMessageBudgetTest {
    private static final int HELD = 600_000;
    private static final long BUDGET = 1_000_000;

    @Test
    void H5_aMessageWithItsHandlerCountsUntilTheHandlerReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<Integer> received = new LinkedBlockingQueue<>();
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onMessage(WebSocket socket, Message message) {
                int size = ((Message.Binary) message).data().length;
                received.add(size);
                if (size == HELD) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                socket.sendBinary(new byte[1]);
            }
        };
        try (WebSocketServer server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder().pingInterval(Duration.ZERO).build())
                .limits(ServerLimits.builder().incompleteMessageBudget(BUDGET).build())
                .route("/", handler).build().start();
             OutboundLimitsTest.RawClient holder = OutboundLimitsTest.RawClient.connect(server.port(), "/");
             OutboundLimitsTest.RawClient fits = OutboundLimitsTest.RawClient.connect(server.port(), "/");
             OutboundLimitsTest.RawClient over = OutboundLimitsTest.RawClient.connect(server.port(), "/")) {
            holder.sendFrame(0x2, new byte[HELD]);
            assertEquals(HELD, received.poll(10, TimeUnit.SECONDS));
            // Its handler holds it: what is left of the budget is BUDGET - HELD, exactly enough.
            fits.sendFrame(0x2, new byte[(int) (BUDGET - HELD)]);
            assertEquals((int) (BUDGET - HELD), received.poll(10, TimeUnit.SECONDS), "exactly what is left");
            assertEquals(1, fits.readBinary().length);
            // One byte more than that is refused while the first message is still held.
            over.sendFrame(0x2, new byte[(int) (BUDGET - HELD + 1)]);
            assertEquals(1013, over.readCloseCode(), "one byte past what the held message leaves");
            release.countDown();
            assertEquals(1, holder.readBinary().length);
        }
    }
}
