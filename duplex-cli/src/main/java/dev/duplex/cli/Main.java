package dev.duplex.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/** Entry point of the {@code duplex} command: picks the subcommand. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** Runs a command in this JVM with these streams, as tests and embedders do; returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, in, out, err, System.getenv());
    }

    /**
     * As {@link #run(String[], InputStream, PrintStream, PrintStream)}, with {@code env} in place
     * of the process's environment where a command reads one ({@code connect}'s proxy variables).
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        try {
            return switch (args[0]) {
                case "serve" -> ServeCommand.run(Arguments.parse(rest, ServeCommand.OPTIONS), out, err);
                case "connect" -> ConnectCommand.run(Arguments.parse(rest, ConnectCommand.OPTIONS), in, out, err,
                        in == System.in && ConnectCommand.stdinIsTerminal(), env);
                case "trace" -> TraceCommand.run(Arguments.parse(rest, TraceCommand.OPTIONS), out, err);
                case "decode" -> DecodeCommand.run(Arguments.parse(rest, DecodeCommand.OPTIONS), in, out);
                default -> {
                    err.println("duplex: unknown command '" + args[0] + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (Arguments.UsageException e) {
            err.println("duplex " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }

    static final String USAGE = """
            usage: duplex <command> [options]

            commands:
              serve     serve a demo page at / and a WebSocket echo endpoint at /echo
                        --host H  --port P (8080)  --max-message-size BYTES (1048576)
                        --max-fragments N (4096)  --handshake-timeout SECONDS (10)
                        --allowed-origin ORIGIN (repeatable)  --subprotocol NAME (repeatable)
                        --compression (accept permessage-deflate; off by default)
                        --tls-cert CHAIN.pem --tls-key KEY.pem (serve https:// and wss://), or
                        --tls-pkcs12 FILE --tls-password PASS (or env DUPLEX_TLS_PASSWORD)
                        --tls-client-ca CA.pem [--tls-client-auth required|optional] (mutual TLS:
                        ask for client certificates from these CAs; required by default)
                        --demo-auth (/echo needs a ticket from POST /ticket; prints the password)
                        --metrics (Prometheus text at /metrics, 200/503 at /healthz, same port)
                        --metrics-port P (the same on a port of its own, plain HTTP)
                        --log-format text|json (json: one object per log line, on stderr)
                        --max-connections N  --max-connections-per-address N (429/503 past them)
                        --rate-limit MSGS/s  --byte-rate-limit BYTES/s (per connection; 1008 past them;
                        the byte rate counts what compressed messages inflate to)
                        --control-frame-rate N/s (100/s: pings and pongs; held back, then 1008)
                        --allowed-host NAME (repeatable; answered besides localhost, 127.0.0.1, [::1]
                        and, unless bound to loopback, any IP address; '*' for any; 421 otherwise)
                        --outbound-limit BYTES (4194304; a backlog past it closes with 1013)
                        --outbound-budget BYTES (an eighth of the heap; all connections together)
                        --write-stall-timeout SECONDS (30; a peer that reads nothing is dropped)
              connect   open a WebSocket to URL (ws:// or wss://) and exchange messages
                        URL  --header 'NAME: VALUE' (repeatable)  --subprotocol NAME (repeatable)
                        --origin ORIGIN  --insecure (wss: accept any certificate, like curl -k)
                        --frames (print every frame both ways, as trace does)  --max-payload BYTES (256)
                        --no-compression (do not offer permessage-deflate, offered by default)
                        --linger MS (200): at end of input, after a ping's pong shows the server
                        has read everything, how long to wait for its replies before closing
                        --proxy http://[USER:PASS@]HOST:PORT or socks5://... (else HTTPS_PROXY for
                        wss, http_proxy for ws, ALL_PROXY; NO_PROXY lists hosts to reach directly)
                        --reconnect (after a drop, reconnect with backoff and jitter; shows each
                        attempt and its delay on stderr)
                        --tls-cert CHAIN.pem --tls-key KEY.pem (client certificate, mutual TLS)
                        --tls-ca CA.pem (trust these CAs instead of the JDK's)
                        On a terminal: a typed line is sent as text; /binary HEX, /ping [TEXT],
                        /close [CODE [REASON]], /help; received messages are printed after '< '.
                        From a pipe: each input line is sent as a text message and each message
                        received is printed on a line of its own (binary ones as lowercase hex);
                        at end of input it closes with 1000. Exit status 0 after a normal close,
                        1 when the handshake or the connection failed (the reason goes to stderr).
              trace     relay WebSocket traffic unchanged and print every frame both ways
                        --listen PORT or HOST:PORT (default host 127.0.0.1)  --upstream ws://HOST:PORT[/path]
                        --json (one JSON object per line)  --max-payload BYTES (256) shown per frame
                        --pcap FILE (also write the conversation as a capture for Wireshark)
              decode    dissect frames given in hex, e.g. duplex decode 81 85 37 fa 21 3d 7f 9f 4d 51 58
                        HEX... (or hex on standard input)  --from client|server (default: by the MASK bit)
                        --deflate (inflate RSV1 payloads, context takeover)  --json  --max-payload BYTES
                        Exit status 1 when the bytes break the protocol or end inside a frame.
              test      run the test suite (handled by the ./duplex launcher)
            """;
}
