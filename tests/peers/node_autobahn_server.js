// The Node `ws` library as the Autobahn Testsuite's echo server, for `wscheck test`.
//
// Listens on 127.0.0.1, port 0 (the kernel picks one), prints the port as the first stdout
// line, echoes every text and binary message as it came, and runs until SIGTERM or SIGINT.
//
// Settings follow ws's own Autobahn server (test/autobahn-server.js in its repository):
// defaults, except the limits on one message, raised so that section 9 measures the library
// rather than its policy (Autobahn's servers run with large limits too): 64 MiB per message
// (9.1.6 sends 16 MiB) and 1 Mi fragments per message (9.3.1 sends 65536; ws 8.23's default
// maxFragments, 16384, refuses it with 1008; older 8.x releases have no such limit and ignore
// the option). permessage-deflate stays off unless WSCHECK_PEER_DEFLATE=1 is in the
// environment; then it is on with ws's defaults but threshold 0 (every echo compressed), for
// sections 12, 13 and 22.
//
// Usage: NODE_PATH=<repo>/build-peers/node/node_modules node node_autobahn_server.js
'use strict';
const { WebSocketServer } = require('ws');

if (process.argv.length !== 2) {
    console.error('usage: node node_autobahn_server.js');
    process.exit(2);
}

const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: process.env.WSCHECK_PEER_DEFLATE === '1' ? { threshold: 0 } : false,
    maxPayload: 64 * 1024 * 1024,
    maxFragments: 1024 * 1024,
});
wss.on('listening', () => console.log(wss.address().port));
wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    // A peer that breaks the protocol makes ws fail the connection and emit 'error'; without
    // a listener Node would treat it as an uncaught exception and end the whole server.
    ws.on('error', () => {});
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
