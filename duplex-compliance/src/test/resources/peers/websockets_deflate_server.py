"""Interop peer for Duplex's compressing client: a Python `websockets` SERVER with permessage-deflate.

Usage: websockets_deflate_server.py MODE
  MODE  takeover      permessage-deflate with context takeover both ways, 15-bit windows
        no_takeover   also demands server_no_context_takeover and client_no_context_takeover
Prints "PORT <port> VERSION <websockets version>" on its first line, then serves until killed:
  /echo   every message back as it came (compressed, as websockets compresses every message)
"""
import asyncio
import sys

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


def factory(mode):
    if mode == "takeover":
        return ServerPerMessageDeflateFactory()
    if mode == "no_takeover":
        return ServerPerMessageDeflateFactory(server_no_context_takeover=True, client_no_context_takeover=True)
    raise SystemExit("unknown mode " + mode)


async def handler(ws, path=None):
    path = path or ws.path
    if path == "/echo":
        async for message in ws:
            await ws.send(message)
    else:
        await ws.close(1008, "unknown path")


async def main(mode):
    async with websockets.serve(handler, "127.0.0.1", 0, compression=None, extensions=[factory(mode)],
                                max_size=None, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d VERSION %s" % (port, websockets.__version__), flush=True)
        await asyncio.Future()


asyncio.run(main(sys.argv[1]))
