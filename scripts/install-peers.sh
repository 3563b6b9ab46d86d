#!/usr/bin/env bash
# Installs the independent WebSocket peers that the client interop tests talk to:
#   - Python websockets, from Debian (python3-websockets, into /usr/bin/python3);
#   - Node ws, from npm, into duplex-compliance/src/test/node/node_modules (npm ci, pinned
#     by the committed package-lock.json).
# Idempotent and quiet: exits 0 at once when both are already there. The interop tests skip
# a peer that is missing, so the suite still runs on a machine without them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/duplex-compliance/src/test/node"

python_ok() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1; }
node_ok() { [ -f "$node_dir/node_modules/ws/package.json" ]; }

if ! python_ok; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "install-peers: installing python3-websockets (Debian)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-websockets >/dev/null
  else
    echo "install-peers: cannot install python3-websockets (needs apt-get as root); its tests will skip" >&2
  fi
fi

if ! node_ok; then
  if command -v npm >/dev/null 2>&1; then
    echo "install-peers: installing Node ws (npm ci)" >&2
    (cd "$node_dir" && npm ci --loglevel=error --no-audit --no-fund >/dev/null)
  else
    echo "install-peers: npm not found; the Node ws tests will skip" >&2
  fi
fi
exit 0
