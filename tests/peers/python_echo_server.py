#!/usr/bin/python3
"""The `websockets` library as an echo server on 127.0.0.1, port 0. Prints its URL as the
first stdout line, echoes every message, and runs until SIGTERM or SIGINT.

Usage: python_echo_server.py [CERT KEY]
websockets accepts permessage-deflate offers by default (window 12 bits both ways, memLevel 5).
"""
import asyncio
import signal
import ssl
import sys

import websockets


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main(cert, key):
    context = None
    if cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(echo, "127.0.0.1", 0, ssl=context, max_size=None,
                                ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"{'wss' if context else 'ws'}://127.0.0.1:{port}/", flush=True)
        await stop


if __name__ == "__main__":
    if len(sys.argv) not in (1, 3):
        sys.exit("usage: python_echo_server.py [CERT KEY]")
    asyncio.run(main(*(sys.argv[1:3] if len(sys.argv) == 3 else (None, None))))
