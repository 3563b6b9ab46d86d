// Interop peer for Duplex's compressing client: a Node `ws` SERVER with permessage-deflate.
// Usage: node ws-deflate-server.js MODE
//   MODE  takeover      permessage-deflate with context takeover both ways
//         no_takeover   also demands server_no_context_takeover and client_no_context_takeover
// Prints "PORT <port> VERSION <ws version>" on its first line, then serves until killed:
//   /echo   every message back as it came, compressed (threshold 0: even an empty one)
'use strict';
const { WebSocketServer } = require('ws');
const version = require('ws/package.json').version;

const mode = process.argv[2];
const perMessageDeflate = { threshold: 0 };
if (mode === 'no_takeover') {
  perMessageDeflate.serverNoContextTakeover = true;
  perMessageDeflate.clientNoContextTakeover = true;
} else if (mode !== 'takeover') {
  console.error('unknown mode ' + mode);
  process.exit(1);
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024, perMessageDeflate });

server.on('listening', () => {
  console.log(`PORT ${server.address().port} VERSION ${version}`);
});

server.on('connection', (ws, request) => {
  if (request.url === '/echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else {
    ws.close(1008, 'unknown path');
  }
});
