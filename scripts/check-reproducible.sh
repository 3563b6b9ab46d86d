#!/usr/bin/env bash
# Builds the project twice from clean and checks that every jar (classes, sources, javadoc) and
# the CLI distribution come out byte for byte the same (project.build.outputTimestamp in
# pom.xml fixes the time inside them). Extra arguments go to Maven, e.g.
#   scripts/check-reproducible.sh -Dmaven.repo.local=/tmp/m2
# Exits 0 when both builds agree, 1 with the differing files otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=find-jdk.sh
. "$root/scripts/find-jdk.sh"
use_jdk || exit 1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# What a build publishes or ships: each module's jars and the CLI tarball.
build() {
  local out="$1"
  shift
  echo "check-reproducible: build $(basename "$out")..." >&2
  "$root/mvnw" -B -q -f "$root/pom.xml" -DskipTests "$@" clean package >&2
  mkdir -p "$out"
  (cd "$root" && find . -maxdepth 3 -path './*/target/*' \( -name '*.jar' -o -name '*.tar.gz' \) -print) | sort |
    while read -r f; do mkdir -p "$out/$(dirname "$f")"; cp "$root/$f" "$out/$f"; done
}

build "$work/first" "$@"
sleep 1   # so that anything taking the wall-clock time would differ
build "$work/second" "$@"

status=0
count=0
while read -r f; do
  count=$((count + 1))
  if [ ! -f "$work/second/$f" ]; then
    echo "only in the first build: $f"; status=1
  elif ! cmp -s "$work/first/$f" "$work/second/$f"; then
    echo "differs: $f"; status=1
  fi
done < <(cd "$work/first" && find . -type f | sort)
if [ "$status" = 0 ]; then
  echo "check-reproducible: $count artifacts, byte-identical in both builds"
fi
exit "$status"
