#!/usr/bin/python3
"""The `websockets` library as the Autobahn Testsuite's echo server, for `wscheck test`.

Listens on 127.0.0.1, port 0 (the kernel picks one), prints the port as the first stdout
line, echoes every text and binary message as it came, and runs until SIGTERM or SIGINT.

Settings follow the server websockets runs under Autobahn (compliance/ in its repository):
defaults, except a 64 MiB message limit (section 9 sends 16 MiB messages; the library's
default is 1 MiB), no permessage-deflate unless WSCHECK_PEER_DEFLATE=1 is in the environment
(then the library's default, compression="deflate": it accepts offers with 12-bit windows,
for sections 12, 13 and 22), and no keepalive pings (they would be events the cases do not
expect).

Usage: /usr/bin/python3 python_autobahn_server.py
"""
import asyncio
import os
import signal
import sys

import websockets


async def echo(ws, path=None):
    # A peer that breaks the protocol ends the loop with ConnectionClosed: that is the
    # library failing the connection, as the cases want, not an error of this script.
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    compression = "deflate" if os.environ.get("WSCHECK_PEER_DEFLATE") == "1" else None
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=2**26, compression=compression,
                                ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await stop


if __name__ == "__main__":
    if len(sys.argv) != 1:
        sys.exit("usage: python_autobahn_server.py")
    asyncio.run(main())
