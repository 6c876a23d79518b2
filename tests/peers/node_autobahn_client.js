// Node's `ws` library as the client under test of `wscheck test-client`, in the Autobahn
// client protocol (see README.md): getCaseCount, then runCase 1..N echoing every message,
// then updateReports. A handshake the library refuses, or a connection it fails, ends that case.
//
// permessage-deflate (RFC 7692) is off unless WSCHECK_PEER_DEFLATE=1 is in the environment;
// then it is on with ws's defaults ("permessage-deflate; client_max_window_bits" offered) but
// threshold 0, so every echo is compressed, as node_autobahn_server.js does.
//
// Usage: node node_autobahn_client.js URL AGENT   (NODE_PATH must reach the `ws` module)
'use strict';
const WebSocket = require('ws');

const [url, agent] = [process.argv[2].replace(/\/+$/, ''), process.argv[3]];
const perMessageDeflate = process.env.WSCHECK_PEER_DEFLATE === '1' ? { threshold: 0 } : false;

function open(target, onMessage) {
  return new Promise((resolve) => {
    // The limits raised as for the Autobahn runs of tests/peers/node_autobahn_server.js (docs/peers.md).
    const ws = new WebSocket(url + target, {
      maxPayload: 2 ** 26, maxFragments: 2 ** 20, handshakeTimeout: 10000, perMessageDeflate,
    });
    ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    ws.on('error', () => {}); // a refused handshake or a failed connection: 'close' follows
    ws.on('close', () => resolve());
  });
}

async function main() {
  let count = 0;
  await open('/getCaseCount', (ws, data) => { count = parseInt(data.toString(), 10); });
  for (let n = 1; n <= count; n++) {
    await open(`/runCase?case=${n}&agent=${encodeURIComponent(agent)}`, (ws, data, isBinary) => {
      ws.send(data, { binary: isBinary });
    });
  }
  await open(`/updateReports?agent=${encodeURIComponent(agent)}`, () => {});
}

main().catch((e) => { console.error(e); process.exit(1); });
