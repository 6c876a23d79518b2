#!/usr/bin/python3
"""The `websockets` library as the client under test of `wscheck test-client`: the client
script of websockets' own compliance suite, in the Autobahn client protocol (see README.md).

Usage: python_autobahn_client.py URL AGENT
getCaseCount, then runCase 1..N echoing every message, then updateReports. A handshake the
library refuses, or a connection it fails, ends that case and the script goes on.

permessage-deflate (RFC 7692) is off unless WSCHECK_PEER_DEFLATE=1 is in the environment; then
the library's default, compression="deflate": it offers "permessage-deflate;
client_max_window_bits" (any client window the server names) and compresses with memLevel 5.
"""
import asyncio
import os
import sys

import websockets
from websockets.exceptions import WebSocketException


async def run(url, agent):
    compression = "deflate" if os.environ.get("WSCHECK_PEER_DEFLATE") == "1" else None
    async with websockets.connect(f"{url}/getCaseCount", open_timeout=10) as ws:
        count = int(await ws.recv())
    for case in range(1, count + 1):
        try:
            async with websockets.connect(f"{url}/runCase?case={case}&agent={agent}", max_size=2 ** 25,
                                          compression=compression, open_timeout=10, close_timeout=5, ping_interval=None) as ws:
                async for message in ws:
                    await ws.send(message)
        except (WebSocketException, OSError, asyncio.TimeoutError):
            pass  # the library refused or failed the connection: the tester judges that
        except ValueError as e:
            # websockets 10.4 accepts a response with client_max_window_bits=8 to its offer, then
            # Python's zlib refuses a raw 8-bit window (zlib >= 1.2.9) and the error escapes
            # connect(): the case ends there, as a crash of the client would end it.
            print(f"case {case}: {e!r}", file=sys.stderr)
    async with websockets.connect(f"{url}/updateReports?agent={agent}", open_timeout=10) as ws:
        try:
            await ws.recv()
        except WebSocketException:
            pass


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1].rstrip("/"), sys.argv[2]))
