# Finds a JDK 21 or newer. Sourced (not run) by ./duplex, .ci/run, scripts/check-reproducible.sh
# and the launcher in the CLI distribution (bin/duplex), so all of them pick the same JDK:
# JAVA_HOME when it is 21 or newer, otherwise the newest JDK 21+ under /usr/lib/jvm and the
# usual places, otherwise the `java` on PATH if it is new enough.
#
# After sourcing: `use_jdk` exports JAVA_HOME and PATH for that JDK (and MAVEN_OPTS that keep
# Maven quiet on JDK 24+), or prints why it cannot and returns 1.

# Prints the major version of the JDK at $1, or nothing when $1 is not one.
jdk_major() {
  local home="$1" v
  [ -x "$home/bin/java" ] || return 0
  # Building needs javac; running the CLI distribution does not (it sets JDK_NEEDS_JAVAC=0).
  [ "${JDK_NEEDS_JAVAC:-1}" = 0 ] || [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")"
  else
    v="$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  fi
  [ "$v" = "1" ] && v=8
  echo "$v"
}

find_jdk() {
  local candidates=() home v best="" best_v=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] && candidates+=("$home")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  # JAVA_HOME wins when it is new enough; otherwise the newest JDK found.
  for home in "${candidates[@]}"; do
    v="$(jdk_major "$home")"
    [ -n "$v" ] && [ "$v" -ge 21 ] || continue
    if [ -n "${JAVA_HOME:-}" ] && [ "$home" = "$JAVA_HOME" ]; then echo "$home"; return; fi
    if [ "$v" -gt "$best_v" ]; then best="$home"; best_v="$v"; fi
  done
  [ -n "$best" ] && echo "$best"
}

use_jdk() {
  local home
  home="$(find_jdk || true)"
  if [ -z "$home" ]; then
    echo "duplex: needs a JDK 21 or newer (set JAVA_HOME, or install one, e.g. apt-get install openjdk-21-jdk-headless)" >&2
    return 1
  fi
  export JAVA_HOME="$home"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own libraries trip warnings about native access and sun.misc.Unsafe on JDK 24+.
  if [ "$(jdk_major "$JAVA_HOME")" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in
      *" --enable-native-access=ALL-UNNAMED "*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
