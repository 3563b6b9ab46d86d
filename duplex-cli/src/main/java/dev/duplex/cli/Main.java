package dev.duplex.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;

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
                        in == System.in && ConnectCommand.stdinIsTerminal());
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
              connect   open a WebSocket to URL (ws:// or wss://) and exchange messages
                        URL  --header 'NAME: VALUE' (repeatable)  --subprotocol NAME (repeatable)
                        --origin ORIGIN  --insecure (wss: accept any certificate, like curl -k)
                        On a terminal: a typed line is sent as text; /binary HEX, /ping [TEXT],
                        /close [CODE [REASON]], /help; received messages are printed after '< '.
                        From a pipe: each input line is sent as a text message and each message
                        received is printed on a line of its own (binary ones as lowercase hex);
                        at end of input it closes with 1000. Exit status 0 after a normal close,
                        1 when the handshake or the connection failed (the reason goes to stderr).
              test      run the test suite (handled by the ./duplex launcher)
            """;
}
