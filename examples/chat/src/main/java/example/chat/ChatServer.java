package example.chat;

import dev.duplex.HttpEndpoint;
import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.auth.TicketAuthenticator;
import dev.duplex.auth.TicketIssuer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A chat room that only signed-in users may join. A client first trades its user name and
 * password (HTTP Basic) for a single-use ticket at {@code POST /ticket}, then opens
 * {@code ws://host:port/chat?ticket=...} within 30 seconds. Every text message is sent to
 * everyone in the room with its author's name.
 *
 * <p>Run: {@code java -cp "target/chat.jar:target/lib/*" example.chat.ChatServer 8080 alice:wonderland bob:builder}
 */
public final class ChatServer {
    private final Map<String, byte[]> passwordDigests = new HashMap<>();
    private final TicketIssuer tickets = TicketIssuer.create();
    private final Set<WebSocket> room = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        ChatServer chat = new ChatServer();
        for (int i = 1; i < args.length; i++) {
            String[] user = args[i].split(":", 2);
            chat.passwordDigests.put(user[0], sha256(user[1]));
        }
        WebSocketServer server = WebSocketServer.builder()
                .port(port)
                .httpEndpoint("/ticket", chat::ticket)
                // Redeems (and so spends) the ticket before the 101; no ticket, no socket.
                .handshakeInterceptor(new TicketAuthenticator(chat.tickets, "chat"))
                .route("/chat", chat.new Member())
                .build()
                .start();
        System.out.println("chat on ws://localhost:" + server.port() + "/chat?ticket=TICKET");
        System.out.println("tickets: curl -u NAME:PASSWORD -X POST http://localhost:" + server.port() + "/ticket");
        // Ctrl-C: members get 1001 (going away). Duplex's threads are daemons, so main waits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(5))));
        Thread.currentThread().join();
    }

    /** POST /ticket with HTTP Basic credentials: a ticket for that user, bound to their address. */
    private HttpEndpoint.Response ticket(HttpEndpoint.Request request) {
        if (!request.head().method().equals("POST")) {
            return HttpEndpoint.Response.text(405, "POST only\n").withHeader("Allow", "POST");
        }
        Optional<String[]> credentials = request.head().headers().first("Authorization").flatMap(ChatServer::basic);
        byte[] expected = credentials.map(pair -> passwordDigests.get(pair[0])).orElse(null);
        // Compare digests, so the time taken says nothing about how much of a guess was right.
        if (expected == null || !MessageDigest.isEqual(expected, sha256(credentials.get()[1]))) {
            return HttpEndpoint.Response.text(401, "unknown user or wrong password\n")
                    .withHeader("WWW-Authenticate", "Basic realm=\"chat\"");
        }
        String name = credentials.get()[0];
        Principal user = () -> name;
        return HttpEndpoint.Response.text(200, tickets.issue(user, request.remoteAddress().getAddress()).value() + "\n");
    }

    /** The user name and password of an {@code Authorization: Basic} field, if it is one. */
    private static Optional<String[]> basic(String field) {
        if (!field.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String pair = new String(Base64.getDecoder().decode(field.substring(6).trim()), StandardCharsets.UTF_8);
            return pair.contains(":") ? Optional.of(pair.split(":", 2)) : Optional.empty();
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** One handler for every member; Duplex calls it on each connection's own virtual thread. */
    private final class Member implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket socket) {
            room.add(socket);
            broadcast("* " + name(socket) + " joined (" + room.size() + " here)");
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {
            if (message instanceof Message.Text text) {
                broadcast(name(socket) + ": " + text.text());
            } else {
                socket.close(1003, "text only");
            }
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            if (room.remove(socket)) {
                broadcast("* " + name(socket) + " left");
            }
        }
    }

    private void broadcast(String line) {
        for (WebSocket member : room) {
            // A member that stopped reading misses lines rather than holding memory for them.
            if (member.isWritable()) {
                member.sendText(line);
            }
        }
    }

    /** The user the ticket was issued to: TicketAuthenticator put it on the handshake. */
    private static String name(WebSocket socket) {
        return socket.handshake().principal().getName();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
