"""Interop peer for Duplex's compression tests: a Python `websockets` CLIENT with permessage-deflate.

Usage: websockets_deflate_client.py URL MODE
  MODE  takeover      permessage-deflate as websockets offers it by default
        no_takeover   server_no_context_takeover and client_no_context_takeover
        window9       server_max_window_bits=9 and client_max_window_bits=9
        window8       server_max_window_bits=8 (zlib's inflater then holds a 256-byte window,
                      so any longer back-reference from the server fails the stream)
Sends text and binary messages from 0 bytes to 1 MiB, each twice, and checks every echo.
Prints one line: "OK websockets <version> extensions=<the 101's Sec-WebSocket-Extensions> messages=<n>",
or "FAIL <why>" and exits 1.
"""
import asyncio
import random
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

SIZES = [0, 1, 125, 4096, 65536, 1 << 20]
WORDS = ["socket", "frame", "deflate", "window", "message", "é", "€", "𝄞", "{\"id\":", "\n"]


def factory(mode):
    if mode == "takeover":
        return ClientPerMessageDeflateFactory()
    if mode == "no_takeover":
        return ClientPerMessageDeflateFactory(server_no_context_takeover=True, client_no_context_takeover=True)
    if mode == "window9":
        return ClientPerMessageDeflateFactory(server_max_window_bits=9, client_max_window_bits=9)
    if mode == "window8":
        return ClientPerMessageDeflateFactory(server_max_window_bits=8)
    raise SystemExit("unknown mode " + mode)


def corpus(rng):
    """Over 1 MiB of words (multi-byte characters among them) and of skewed bytes: 128 KiB or
    so of each, made from the seeded random, then repeated (Python's random is slow)."""
    words = "".join(rng.choice(WORDS) + (str(rng.randrange(1000)) if rng.random() < 0.3 else " ")
                    for _ in range(20_000))
    chunks = []
    for _ in range(4_000):
        run = rng.randrange(1, 64)
        chunks.append(bytes([rng.randrange(4)]) * run if rng.random() < 0.5 else rng.randbytes(run))
    data = b"".join(chunks)
    return words * (1 + SIZES[-1] // len(words)), data * (1 + SIZES[-1] // len(data))


def text(size, words):
    """Exactly size bytes of UTF-8: a prefix of the words with no character cut, then ASCII."""
    prefix = words.encode("utf-8")[:size].decode("utf-8", errors="ignore")
    return prefix + "x" * (size - len(prefix.encode("utf-8")))


async def main(url, mode):
    words, data = corpus(random.Random(7692))
    assert len(data) >= SIZES[-1] and len(words.encode("utf-8")) >= SIZES[-1]
    async with websockets.connect(url, compression=None, extensions=[factory(mode)], max_size=None,
                                  ping_interval=None) as ws:
        negotiated = ws.response_headers.get("Sec-WebSocket-Extensions")
        count = 0
        for size in SIZES:
            for message in (text(size, words), data[:size]):
                for _ in range(2):
                    await ws.send(message)
                    echo = await ws.recv()
                    if echo != message:
                        print("FAIL echo of a %s message of %d bytes differs" % (type(message).__name__, size))
                        return 1
                    count += 1
        print("OK websockets %s extensions=%s messages=%d" % (websockets.__version__, negotiated, count))
        return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
