// Interop peer for Duplex's client tests: a Node `ws` server on 127.0.0.1.
// Prints "PORT <port> VERSION <ws version>" on its first line, then serves until killed:
//   /echo        every message back as it came
//   /fragment    every message back in three fragments (split by bytes, even inside a character)
//   /ping        pings with "are you there", then sends "pong:<payload>" once the pong is in
//   /close/CODE  closes at once with CODE and the reason "bye CODE"
//   /drop        drops TCP without a close frame
'use strict';
const { WebSocketServer } = require('ws');
const version = require('ws/package.json').version;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });

server.on('listening', () => {
  console.log(`PORT ${server.address().port} VERSION ${version}`);
});

server.on('connection', (ws, request) => {
  const path = request.url;
  if (path === '/echo') {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  } else if (path === '/fragment') {
    ws.on('message', (data, isBinary) => {
      if (data.length === 0) {
        ws.send(data, { binary: isBinary });
        return;
      }
      const step = Math.max(1, Math.ceil(data.length / 3));
      for (let i = 0; i < data.length; i += step) {
        ws.send(data.subarray(i, i + step), { binary: isBinary, fin: i + step >= data.length });
      }
    });
  } else if (path === '/ping') {
    ws.on('pong', (payload) => ws.send('pong:' + payload.toString()));
    ws.ping('are you there');
  } else if (path.startsWith('/close/')) {
    const code = Number(path.substring('/close/'.length));
    ws.close(code, 'bye ' + code);
  } else if (path === '/drop') {
    ws.terminate();
  } else {
    ws.close(1008, 'unknown path');
  }
});
