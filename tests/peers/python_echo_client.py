#!/usr/bin/python3
"""The `websockets` library as a client of an echo server: one fixed exchange (see README.md).

Usage: python_echo_client.py URL [CAFILE]
With WSCHECK_PEER_DEFLATE=1 in the environment, permessage-deflate (which websockets offers
by default) must have been agreed.
"""
import asyncio
import os
import ssl
import sys
import time

import websockets

BIG = 16 * 1024 * 1024


def check(ok, what):
    if not ok:
        raise AssertionError(what)


async def echo(ws, message, what):
    await ws.send(message)
    reply = await asyncio.wait_for(ws.recv(), 30)
    check(type(reply) is type(message), what + ": echoed as the other message type")
    return reply


async def main(url, cafile):
    context = None
    if url.startswith("wss://"):
        context = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(url, ssl=context, max_size=None, open_timeout=10,
                                  close_timeout=10, ping_interval=None) as ws:
        if os.environ.get("WSCHECK_PEER_DEFLATE") == "1":
            agreed = [e.name for e in ws.extensions]
            check("permessage-deflate" in agreed, f"permessage-deflate not agreed (extensions: {agreed})")
        check(await echo(ws, "hello", "text") == "hello", "text echo differs")
        data = bytes([0, 1, 2, 0xFF, 0xFE])
        check(await echo(ws, data, "binary") == data, "binary echo differs")
        # An iterable is sent as one message in several frames (5.4).
        await ws.send(["frag", "mented ", "t\u00e9xt"])
        check(await asyncio.wait_for(ws.recv(), 30) == "fragmented t\u00e9xt", "fragmented text echo differs")
        await ws.send([b"\x01", b"\x02\x03", b""])
        check(await asyncio.wait_for(ws.recv(), 30) == b"\x01\x02\x03", "fragmented binary echo differs")
        big = bytes(i % 251 for i in range(BIG))
        check(await echo(ws, big, "16 MiB binary") == big, "16 MiB binary echo differs")
        big_text = "\u00e9" * (BIG // 2)
        check(await echo(ws, big_text, "16 MiB text") == big_text, "16 MiB text echo differs")
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 10)
        started = time.monotonic()
        await ws.close(code=4000, reason="bye")
        elapsed = time.monotonic() - started
        # 5.5.1: the endpoint answering a Close "typically echos the status code it received";
        # the reason is its own choice.
        check(ws.close_code == 4000, f"close code echoed as {ws.close_code}, expected 4000")
        # 7.1.1: the server closes the TCP connection right after the closing handshake;
        # websockets would otherwise wait close_timeout (10 s) before closing it itself.
        check(elapsed < 5, f"the server took {elapsed:.1f} s to close the TCP connection")
    print("OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python_echo_client.py URL [CAFILE]")
    try:
        asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None))
    except Exception as e:  # one line for the test log
        print(f"python websockets client: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
