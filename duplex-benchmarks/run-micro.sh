#!/usr/bin/env bash
# JMH microbenchmarks of the protocol core, then a table with bytes/s and the target ratios.
#   duplex-benchmarks/run-micro.sh                       # all, JMH's settings in each class
#   duplex-benchmarks/run-micro.sh 'Masking|Utf8' -wi 2 -i 3 -w 1 -r 1    # JMH arguments pass through
# Pin it (taskset -c 1 ...) on a shared machine so the numbers move less.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "${BUILD:-1}" = 1 ]; then
  "$root/mvnw" -B -q -f "$root/pom.xml" -pl duplex-benchmarks -am package -DskipTests >&2
fi
cp="$here/target/duplex-benchmarks.jar:$here/target/lib/*"
csv="$here/target/jmh-$(date +%Y%m%d-%H%M%S).csv"
"$java" -cp "$cp" org.openjdk.jmh.Main "$@" -rf csv -rff "$csv"
"$java" -cp "$cp" dev.duplex.benchmarks.compare.MicroSummary "$csv"
