"""Mutual TLS peer for Duplex's client tests: a Python `websockets` wss server on 127.0.0.1 that
requires a client certificate issued by CA_FILE (ssl.CERT_REQUIRED, Python's OpenSSL).

Prints "PORT <port> VERSION <websockets version>" on its first line, then serves until killed:
  /echo     every message back as it came
  /whoami   sends the commonName of the client certificate's subject, then closes with 1000
Usage: websockets_mtls_server.py CERT KEY CA_FILE
"""
import asyncio
import ssl
import sys

import websockets


def common_name(ws):
    cert = ws.transport.get_extra_info("peercert") or {}
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return value
    return "-"


async def handler(ws, path=None):
    path = path or ws.path
    if path == "/echo":
        async for message in ws:
            await ws.send(message)
    elif path == "/whoami":
        await ws.send(common_name(ws))
        await ws.close(1000, "")
    else:
        await ws.close(1008, "unknown path")


async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    context.load_verify_locations(cafile=sys.argv[3])
    context.verify_mode = ssl.CERT_REQUIRED
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=context, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("PORT %d VERSION %s" % (port, websockets.__version__), flush=True)
        await asyncio.Future()


asyncio.run(main())
