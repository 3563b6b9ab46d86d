package dev.duplex.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** Entry point of the {@code duplex} command: picks the subcommand. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "serve" -> ServeCommand.run(Arguments.parse(rest, ServeCommand.OPTIONS), out, err);
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
              test      run the test suite (handled by the ./duplex launcher)
            """;
}
