#!/usr/bin/python3
"""The `websockets` library as the client under test of `wscheck test-client`: the client
script of websockets' own compliance suite, in the Autobahn client protocol (see README.md).

Usage: python_autobahn_client.py URL AGENT
getCaseCount, then runCase 1..N echoing every message, then updateReports. A handshake the
library refuses, or a connection it fails, ends that case and the script goes on.
"""
import asyncio
import sys

import websockets
from websockets.exceptions import WebSocketException


async def run(url, agent):
    async with websockets.connect(f"{url}/getCaseCount", open_timeout=10) as ws:
        count = int(await ws.recv())
    for case in range(1, count + 1):
        try:
            async with websockets.connect(f"{url}/runCase?case={case}&agent={agent}", max_size=2 ** 25,
                                          open_timeout=10, close_timeout=5, ping_interval=None) as ws:
                async for message in ws:
                    await ws.send(message)
        except (WebSocketException, OSError, asyncio.TimeoutError):
            pass  # the library refused or failed the connection: the tester judges that
    async with websockets.connect(f"{url}/updateReports?agent={agent}", open_timeout=10) as ws:
        try:
            await ws.recv()
        except WebSocketException:
            pass


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1].rstrip("/"), sys.argv[2]))
