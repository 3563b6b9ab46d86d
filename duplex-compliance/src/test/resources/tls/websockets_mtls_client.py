"""A Python `websockets` client with a client certificate, for Duplex's mutual TLS server tests.

Usage: websockets_mtls_client.py URI CA_FILE CERT|- KEY|- TEXT
Connects with Python's own TLS (OpenSSL), trusting only CA_FILE and checking the host name,
presenting CERT and KEY unless they are "-", sends TEXT and prints one line:
  ECHO <reply>                the server's first message
  FAILED <exception class> <message>
then "VERSION <websockets version>". Exits 0 for ECHO, 1 for FAILED.
"""
import asyncio
import ssl
import sys

import websockets


async def main(uri, ca_file, cert, key, text):
    context = ssl.create_default_context(cafile=ca_file)
    if cert != "-":
        context.load_cert_chain(cert, key)
    try:
        async with websockets.connect(uri, ssl=context, open_timeout=10) as ws:
            await ws.send(text)
            reply = await asyncio.wait_for(ws.recv(), 10)
            print("ECHO " + reply)
            return 0
    except Exception as e:  # the test reads the class name
        print("FAILED %s %s" % (type(e).__name__, str(e).replace("\n", " ")))
        return 1
    finally:
        print("VERSION " + websockets.__version__)


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:6])))
