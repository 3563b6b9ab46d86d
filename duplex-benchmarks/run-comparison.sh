#!/usr/bin/env bash
# Side-by-side comparison: echo servers on Duplex, Netty 4.1, Jetty 12 and Java-WebSocket 1.5,
# started one at a time on the same port and CPU, each driven by the load generator on another
# CPU through the same scenarios; repeated, with the server order rotated each time. Prints the
# median, spread and ratio to Netty of every figure (docs/BENCHMARKS.md explains them).
#
#   duplex-benchmarks/run-comparison.sh                  # the full run, about 12 minutes
#   duplex-benchmarks/run-comparison.sh --quick          # one repetition, short scenarios
#   REPS=3 DURATION=5 WARMUP=2 SERVER_CPU=0 LOAD_CPU=1 PORT=18080 SERVERS="duplex netty" ...
#   SERVERS="duplex-baseline duplex" BASELINE=duplex-baseline \
#     BASELINE_DUPLEX_CP=/old/duplex-protocol/target/classes:/old/duplex-lib/target/classes ...   # A/B
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

REPS="${REPS:-3}"
WARMUP="${WARMUP:-2}"
DURATION="${DURATION:-5}"
IDLE_CONNECTIONS="${IDLE_CONNECTIONS:-10000}"
IDLE_ECHO="${IDLE_ECHO:-5}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
PORT="${PORT:-18080}"
SERVERS="${SERVERS:-duplex netty jetty java-websocket}"
# idle10k runs last, on a server the other scenarios have warmed up, so its memory reading is
# what 10,000 more connections cost a running server, not the one-time growth of a fresh JVM's
# heap into pages that any traffic would touch (docs/BENCHMARKS.md, "Memory").
SCENARIOS="${SCENARIOS:-text32-c100-k1 text32-c100-k16 bin16k-c10 bin1m-c2 idle10k}"
SERVER_HEAP="${SERVER_HEAP:--Xmx2g}"
OUT="${OUT:-$here/target/comparison-$(date +%Y%m%d-%H%M%S).jsonl}"
BUILD=1

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) REPS=1; WARMUP=1; DURATION=2; IDLE_CONNECTIONS=2000; IDLE_ECHO=2 ;;
    --no-build) BUILD=0 ;;
    --out) OUT="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# A JDK 21 or newer: JAVA_HOME when it is one, else the newest under /usr/lib/jvm.
java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME")" -lt 21 ] 2>/dev/null; then
  JAVA_HOME=""
  for home in /usr/lib/jvm/*; do
    v="$(java_major "$home" 2>/dev/null || true)"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then JAVA_HOME="$home"; fi
  done
fi
[ -n "$JAVA_HOME" ] || { echo "needs a JDK 21 or newer (JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME
java="$JAVA_HOME/bin/java"
if [ "$(java_major "$JAVA_HOME")" -ge 24 ]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
  # Netty still reaches for sun.misc.Unsafe; allow it quietly rather than change its code path.
  SERVER_EXTRA="--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
else
  SERVER_EXTRA=""
fi

if [ "$BUILD" = 1 ]; then
  "$root/mvnw" -B -q -f "$root/pom.xml" -pl duplex-benchmarks -am package -DskipTests >&2
fi
cp="$here/target/duplex-benchmarks.jar:$here/target/lib/*"

# 10,000 connections need 10,000 descriptors in the server and as many in the generator.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNECTIONS + 1000)) ]; then
  echo "warning: ulimit -n is $(ulimit -n), below $((IDLE_CONNECTIONS + 1000)); raise the hard limit" >&2
fi
# Each loopback connection takes one local port from this range; TIME_WAIT ports come back
# for reuse on loopback when tcp_tw_reuse is 2 (the default since Linux 4.x).
echo "# ulimit -n $(ulimit -n); ip_local_port_range $(tr '\t' ' ' < /proc/sys/net/ipv4/ip_local_port_range);" \
     "tcp_tw_reuse $(cat /proc/sys/net/ipv4/tcp_tw_reuse); somaxconn $(cat /proc/sys/net/core/somaxconn)" >&2
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

server_class() {
  case "$1" in
    duplex) echo dev.duplex.benchmarks.servers.DuplexEchoServer ;;
    netty) echo dev.duplex.benchmarks.servers.NettyEchoServer ;;
    jetty) echo dev.duplex.benchmarks.servers.JettyEchoServer ;;
    java-websocket) echo dev.duplex.benchmarks.servers.JavaWebSocketEchoServer ;;
    duplex-baseline) echo dev.duplex.benchmarks.servers.DuplexEchoServer ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
}

scenario_args() {
  case "$1" in
    text32-c100-k1) echo "--connections 100 --in-flight 1 --size 32 --type text" ;;
    text32-c100-k16) echo "--connections 100 --in-flight 16 --size 32 --type text" ;;
    bin16k-c10) echo "--connections 10 --in-flight 1 --size 16k --type binary" ;;
    bin1m-c2) echo "--connections 2 --in-flight 1 --size 1m --type binary" ;;
    idle10k) echo "--connections $IDLE_CONNECTIONS --idle --gc --settle 2 --size 32 --type text --in-flight 1 --duration $IDLE_ECHO --warmup 1 --connect-concurrency 500" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

start_server() {
  local name="$1" log="$here/target/server-$1.log" server_cp="$cp"
  # duplex-baseline: the same echo server on another build of Duplex, whose protocol and
  # library classes come first on the class path (A/B runs of a performance change).
  if [ "$name" = duplex-baseline ]; then server_cp="${BASELINE_DUPLEX_CP:?set BASELINE_DUPLEX_CP}:$cp"; fi
  # shellcheck disable=SC2086
  taskset -c "$SERVER_CPU" "$java" $SERVER_HEAP $SERVER_EXTRA -cp "$server_cp" "$(server_class "$name")" --port "$PORT" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    # Listening, by its own word and by a connection that goes through.
    if grep -q "listening on" "$log" && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server $name did not start; its log:" >&2
  cat "$log" >&2
  exit 1
}

mkdir -p "$(dirname "$OUT")"
: > "$OUT"
read -r -a servers <<<"$SERVERS"
read -r -a scenarios <<<"$SCENARIOS"
started=$(date +%s)
for rep in $(seq 1 "$REPS"); do
  # Rotate the order each repetition, so no server always runs first or last.
  n=${#servers[@]}
  for i in $(seq 0 $((n - 1))); do
    name="${servers[$(((i + rep - 1) % n))]}"
    start_server "$name"
    for scenario in "${scenarios[@]}"; do
      extra="--server-pid $server_pid"
      # shellcheck disable=SC2046,SC2086
      line="$(taskset -c "$LOAD_CPU" "$java" -Xmx1g -cp "$cp" dev.duplex.benchmarks.load.LoadGenerator \
                --port "$PORT" --json --warmup "$WARMUP" --duration "$DURATION" --timeout 30 \
                $(scenario_args "$scenario") $extra --label "$name/$scenario/$rep" || true)"
      echo "$line" >> "$OUT"
      echo "$line" >&2
    done
    stop_server
  done
done
echo "# $(( $(date +%s) - started )) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT" >&2
"$java" -cp "$cp" dev.duplex.benchmarks.compare.Summary "$OUT" "${BASELINE:-netty}"
