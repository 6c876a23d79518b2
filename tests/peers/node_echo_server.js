// The Node `ws` library as an echo server on 127.0.0.1, port 0. Prints its URL as the first
// stdout line, echoes every message, and runs until SIGTERM or SIGINT.
// Usage: node node_echo_server.js [CERT KEY]   (with NODE_PATH pointing at node_modules)
// With WSCHECK_PEER_DEFLATE=1 in the environment it accepts permessage-deflate and
// compresses every message (threshold 0); ws's server default is off.
'use strict';
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const [cert, key] = process.argv.slice(2);
const maxPayload = 64 * 1024 * 1024;
const perMessageDeflate = process.env.WSCHECK_PEER_DEFLATE === '1' ? { threshold: 0 } : false;
let wss;
if (cert) {
    const server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) });
    wss = new WebSocketServer({ server, maxPayload, perMessageDeflate });
    server.listen(0, '127.0.0.1', () => {
        console.log(`wss://127.0.0.1:${server.address().port}/`);
    });
} else {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload, perMessageDeflate });
    wss.on('listening', () => console.log(`ws://127.0.0.1:${wss.address().port}/`));
}
wss.on('connection', (ws) => {
    // ws fails the connection on a protocol error and emits 'error'; unhandled, that event
    // would end the whole process, and the server would die for one bad peer.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
