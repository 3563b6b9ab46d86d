"""Interop peer for Duplex's client tests: a Python `websockets` server on 127.0.0.1.

Prints "PORT <port> VERSION <websockets version>" on its first line, then serves until killed:
  /echo        every message back as it came
  /fragment    every message back in three fragments
  /ping        pings with b"are you there", then sends "pong:<payload>" once the pong is in
  /close/CODE  closes at once with CODE and the reason "bye CODE"
  /drop        drops TCP without a close frame
Usage: websockets_server.py [CERT KEY]   (with a certificate and key: wss)
"""
import asyncio
import ssl
import sys

import websockets

PING = b"are you there"


async def handler(ws, path=None):
    path = path or ws.path
    if path == "/echo":
        async for message in ws:
            await ws.send(message)
    elif path == "/fragment":
        async for message in ws:
            step = max(1, -(-len(message) // 3))
            parts = [message[i:i + step] for i in range(0, len(message), step)] or [message]
            await ws.send(parts)
    elif path == "/ping":
        pong = await ws.ping(PING)
        await pong
        await ws.send("pong:" + PING.decode())
        await ws.wait_closed()
    elif path.startswith("/close/"):
        code = int(path[len("/close/"):])
        await ws.close(code, "bye %d" % code)
    elif path == "/drop":
        ws.transport.close()
    else:
        await ws.close(1008, "unknown path")


async def main():
    context = None
    if len(sys.argv) == 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[1], sys.argv[2])
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=context, max_size=None,
                                ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d VERSION %s" % (port, websockets.__version__), flush=True)
        await asyncio.Future()


asyncio.run(main())
