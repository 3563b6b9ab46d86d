#!/usr/bin/env bash
# Prints which tests did not run and why, from the target/skipped-tests.txt files that
# dev.duplex.testsupport.SkippedTestsRecorder writes (one line per test or class: class, test,
# reason, tab-separated). ./duplex test calls it after Maven returns. Prints nothing when
# every test ran.
#   scripts/skipped-summary.sh FILE...
set -uo pipefail

files=()
for f in "$@"; do
  [ -s "$f" ] && files+=("$f")
done
[ ${#files[@]} -gt 0 ] || exit 0

# How the interop tests say that a peer or tool they need is absent (scripts/install-peers.sh
# installs them); any other reason is a test that does not apply here, or a disabled one.
peers='not installed|is missing|missing \\(|install-peers|apt-get'

awk -F '\t' -v peers="$peers" '
  function short(c) { sub(/.*\./, "", c); return c }
  function add(list, item) { return index(", " list ", ", ", " item ", ") ? list : (list == "" ? item : list ", " item) }
  {
    reason = $3
    sub(/^Assumption failed: /, "", reason)
    if (tolower(reason) ~ peers) {
      if (!(reason in pcount)) porder[++np] = reason
      pcount[reason]++; pclasses[reason] = add(pclasses[reason], short($1))
      peer_total++
    } else {
      c = short($1)
      if (!(c in ocount)) { oorder[++no] = c; oreason[c] = reason }
      ocount[c]++
      other_total++
    }
  }
  END {
    print ""
    if (np > 0) {
      printf "Skipped because a peer or tool is missing on this machine (%d tests or classes):\n", peer_total
      for (i = 1; i <= np; i++) printf "  %3d  %s  [%s]\n", pcount[porder[i]], porder[i], pclasses[porder[i]]
      print "  Install them with: scripts/install-peers.sh   (Debian packages need root; Node ws comes from npm)"
    }
    if (no > 0) {
      printf "Not applicable here, or disabled (%d):\n", other_total
      for (i = 1; i <= no; i++) {
        r = oreason[oorder[i]]
        if (length(r) > 110) r = substr(r, 1, 107) "..."
        printf "  %3d  %s: %s\n", ocount[oorder[i]], oorder[i], r
      }
    }
  }
' "${files[@]}"
