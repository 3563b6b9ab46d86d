package dev.duplex.benchmarks.servers;

/**
 * The command line every echo server in the comparison shares: {@code --port P} (default
 * 8080). Each serves ws://host:P/echo, echoes text as text and binary as binary, and accepts
 * messages up to {@link #MAX_MESSAGE} bytes, so the 1 MiB scenario fits with headroom.
 */
record EchoServerArgs(int port) {
    static final String PATH = "/echo";
    static final int MAX_MESSAGE = 2 * 1024 * 1024;

    static EchoServerArgs parse(String[] args) {
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else {
                throw new IllegalArgumentException("usage: <server> [--port P]");
            }
        }
        return new EchoServerArgs(port);
    }

    /** The line the runner waits for before it starts the generator. */
    static void announce(String server, int port) {
        System.out.println(server + " echo server listening on " + port + " (pid " + ProcessHandle.current().pid() + ")");
        System.out.flush();
    }
}
