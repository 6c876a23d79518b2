// The Node `ws` library as a client of an echo server: one fixed exchange (see README.md).
// Usage: node node_echo_client.js URL [CAFILE]   (with NODE_PATH pointing at node_modules)
// With WSCHECK_PEER_DEFLATE=1 in the environment: permessage-deflate offered, every message
// compressed (threshold 0), and the agreement checked.
'use strict';
const fs = require('fs');
const WebSocket = require('ws');

const BIG = 16 * 1024 * 1024;
const [url, cafile] = process.argv.slice(2);
if (!url) {
    console.error('usage: node_echo_client.js URL [CAFILE]');
    process.exit(2);
}

function fail(what) {
    console.error(`node ws client: ${what}`);
    process.exit(1);
}

const deflate = process.env.WSCHECK_PEER_DEFLATE === '1';
const ws = new WebSocket(url, { ca: cafile ? fs.readFileSync(cafile) : undefined,
                                maxPayload: 64 * 1024 * 1024, handshakeTimeout: 10000,
                                perMessageDeflate: deflate ? { threshold: 0 } : true });
const replies = [];
let waiting = null;
ws.on('message', (data, isBinary) => {
    replies.push({ data, isBinary });
    if (waiting) { const w = waiting; waiting = null; w(); }
});
ws.on('error', (e) => fail(`error: ${e.message}`));
ws.on('unexpected-response', (req, res) => fail(`handshake refused with ${res.statusCode}`));

function next() {
    return new Promise((resolve) => {
        const take = () => resolve(replies.shift());
        if (replies.length) take(); else waiting = take;
    });
}

async function echo(payload, binary, what) {
    ws.send(payload, { binary });
    const reply = await next();
    if (reply.isBinary !== binary) fail(`${what}: echoed as ${reply.isBinary ? 'binary' : 'text'}`);
    if (!Buffer.from(payload).equals(reply.data)) fail(`${what}: echo differs`);
}

ws.on('open', async () => {
    const timer = setTimeout(() => fail('exchange timed out'), 60000);
    if (deflate && !ws.extensions.includes('permessage-deflate')) {
        fail(`permessage-deflate not agreed (extensions: '${ws.extensions}')`);
    }
    await echo('hello', false, 'text');
    await echo(Buffer.from([0, 1, 2, 0xff, 0xfe]), true, 'binary');
    // fin: false keeps the message open: one message in three frames (5.4).
    ws.send('frag', { fin: false });
    ws.send('mented ', { fin: false });
    ws.send('t\u00e9xt', { fin: true });
    let reply = await next();
    if (reply.isBinary || reply.data.toString() !== 'fragmented t\u00e9xt') fail('fragmented text echo differs');
    ws.send(Buffer.from([1]), { binary: true, fin: false });
    ws.send(Buffer.from([2, 3]), { binary: true, fin: true });
    reply = await next();
    if (!reply.isBinary || !reply.data.equals(Buffer.from([1, 2, 3]))) fail('fragmented binary echo differs');
    const big = Buffer.alloc(BIG);
    for (let i = 0; i < BIG; i++) big[i] = i % 251;
    await echo(big, true, '16 MiB binary');
    await echo('\u00e9'.repeat(BIG / 2), false, '16 MiB text');
    await new Promise((resolve) => {
        ws.once('pong', (data) => {
            if (data.toString() !== 'are you there') fail('pong payload differs');
            resolve();
        });
        ws.ping('are you there');
    });
    const started = Date.now();
    ws.on('close', (code, reason) => {
        clearTimeout(timer);
        // 5.5.1: the answering Close typically echoes the code; the reason is free.
        if (code !== 4000) fail(`close code echoed as ${code}, expected 4000`);
        // 7.1.1: the server closes TCP after the closing handshake; ws would wait 30 s.
        const elapsed = (Date.now() - started) / 1000;
        if (elapsed > 5) fail(`the server took ${elapsed} s to close the TCP connection`);
        console.log('OK');
        process.exit(0);
    });
    ws.close(4000, 'bye');
});
