"""A Python `websockets` client for Duplex's wss server tests.

Usage: websockets_client.py URI CA_FILE TEXT
Connects with Python's own TLS (OpenSSL), trusting only CA_FILE and checking the host name as
ssl.create_default_context does, sends TEXT, and prints one line:
  ECHO <text>                 the server sent TEXT back
  FAILED <exception class> <message>
then a second line "VERSION <websockets version>". Exits 0 for ECHO, 1 for FAILED.
"""
import asyncio
import ssl
import sys

import websockets


async def main(uri, ca_file, text):
    context = ssl.create_default_context(cafile=ca_file)  # CERT_REQUIRED, check_hostname=True
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
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3])))
