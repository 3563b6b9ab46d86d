// Interop peer for Duplex's compression tests: a Node `ws` CLIENT with permessage-deflate.
// Usage: node ws-deflate-client.js URL MODE
//   MODE  takeover | no_takeover | window9 (server_max_window_bits=9, client_max_window_bits=9)
// Sends text and binary messages from 0 bytes to 1 MiB, each twice, and checks every echo.
// Prints one line: "OK ws <version> extensions=<negotiated> messages=<n>", or "FAIL <why>" and exits 1.
'use strict';
const WebSocket = require('ws');
const version = require('ws/package.json').version;

const [url, mode] = process.argv.slice(2);
const SIZES = [0, 1, 125, 4096, 65536, 1 << 20];
const WORDS = ['socket', 'frame', 'deflate', 'window', 'message', 'é', '€', '𝄞', '{"id":', '\n'];

const deflate = { threshold: 0 }; // compress every message, even an empty one
if (mode === 'no_takeover') {
  deflate.serverNoContextTakeover = true;
  deflate.clientNoContextTakeover = true;
} else if (mode === 'window9') {
  deflate.serverMaxWindowBits = 9;
  deflate.clientMaxWindowBits = 9;
} else if (mode !== 'takeover') {
  console.log('FAIL unknown mode ' + mode);
  process.exit(1);
}

let seed = 7692;
function random(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}

// Whole words while they fit, then ASCII: exactly size bytes, no character cut in two.
function text(size) {
  const parts = [];
  let n = 0;
  for (;;) {
    const w = WORDS[random(WORDS.length)] + (random(3) === 0 ? String(random(1000)) : ' ');
    const length = Buffer.byteLength(w);
    if (n + length > size) break;
    parts.push(w);
    n += length;
  }
  return parts.join('') + 'x'.repeat(size - n);
}

function binary(size) {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size;) {
    const run = Math.min(size - i, 1 + random(64));
    const fill = random(2) === 0;
    for (let j = 0; j < run; j++) out[i + j] = fill ? (i & 3) : random(256);
    i += run;
  }
  return out;
}

const messages = [];
for (const size of SIZES) {
  for (const m of [text(size), binary(size)]) {
    messages.push(m, m);
  }
}

const ws = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 64 * 1024 * 1024 });
let next = 0;
let negotiated = null;
ws.on('upgrade', (response) => { negotiated = response.headers['sec-websocket-extensions'] || null; });
ws.on('open', () => ws.send(messages[next]));
ws.on('message', (data, isBinary) => {
  const sent = messages[next];
  const same = typeof sent === 'string' ? !isBinary && data.toString('utf8') === sent : isBinary && data.equals(sent);
  if (!same) {
    console.log(`FAIL echo ${next} (${typeof sent}, ${Buffer.byteLength(sent)} bytes) differs`);
    process.exit(1);
  }
  next++;
  if (next < messages.length) {
    ws.send(messages[next]);
  } else {
    console.log(`OK ws ${version} extensions=${negotiated} messages=${next}`);
    ws.close(1000);
  }
});
ws.on('close', () => process.exit(next === messages.length ? 0 : 1));
ws.on('error', (e) => {
  console.log('FAIL ' + e.message);
  process.exit(1);
});
