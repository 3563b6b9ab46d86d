#!/usr/bin/env bash
# Installs the independent WebSocket peers and tools that the tests talk to:
#   - Python websockets, from Debian (python3-websockets, into /usr/bin/python3);
#   - headless Chromium and chromedriver, from Debian (chromium, chromium-driver);
#   - tshark, from Debian, which reads the pcap files that `duplex trace --pcap` writes;
#   - tinyproxy (HTTP CONNECT) and dante-server (SOCKS5), from Debian, which the client's proxy
#     tests start on loopback with their own config files; danted checks SOCKS5 logins against
#     the system's users, so a login-less user `duplexsocks` with a test-only password is made;
#   - Prometheus (promtool and the server), from Debian (prometheus): promtool checks the text
#     `duplex serve --metrics` exposes, and a test's own Prometheus scrapes it;
#   - Node ws, from npm, into duplex-compliance/src/test/node/node_modules (npm ci, pinned
#     by the committed package-lock.json).
# Idempotent: does nothing when everything is there. A peer that cannot be installed is
# reported and its tests skip, so a failed download never fails the build by itself.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/duplex-compliance/src/test/node"

missing=()
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
[ -x /usr/bin/tinyproxy ] || missing+=(tinyproxy)
[ -x /usr/sbin/danted ] || missing+=(dante-server)
[ -x /usr/bin/promtool ] || missing+=(prometheus)

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "install-peers: installing ${missing[*]} (Debian)" >&2
    export DEBIAN_FRONTEND=noninteractive
    # tshark asks whether non-root users may capture; the answer does not matter here.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
    apt-get update -qq >/dev/null 2>&1 || echo "install-peers: apt-get update failed" >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || echo "install-peers: could not install ${missing[*]}; their tests will skip" >&2
  else
    echo "install-peers: cannot install ${missing[*]} (needs apt-get as root); their tests will skip" >&2
  fi
fi

# The SOCKS5 login the proxy tests use (ProxyPeers.SOCKS_USER); no home, no shell, loopback only.
if [ -x /usr/sbin/danted ] && ! id duplexsocks >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v useradd >/dev/null 2>&1; then
    useradd -M -s /usr/sbin/nologin duplexsocks && echo 'duplexsocks:s0cks-pw' | chpasswd \
      || echo "install-peers: could not add the SOCKS5 test user; its tests will skip" >&2
  else
    echo "install-peers: cannot add the SOCKS5 test user (needs root); its tests will skip" >&2
  fi
fi

if [ ! -f "$node_dir/node_modules/ws/package.json" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "install-peers: installing Node ws (npm ci)" >&2
    (cd "$node_dir" && npm ci --loglevel=error --no-audit --no-fund >/dev/null) \
      || echo "install-peers: npm ci failed; the Node ws tests will skip" >&2
  else
    echo "install-peers: npm not found; the Node ws tests will skip" >&2
  fi
fi
exit 0
