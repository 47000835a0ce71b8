"""A bare `websockets.broadcast` server: the floor the app's broadcast is compared to.
Clients connect to `/`; whatever arrives on `/control` is broadcast to all of them."""

from __future__ import annotations

import asyncio
import contextlib
import sys

import websockets
from websockets.asyncio.server import broadcast, serve

CLIENTS: set = set()


async def handler(ws) -> None:
    if ws.request.path == "/control":
        async for message in ws:
            broadcast(CLIENTS, message)
        return
    CLIENTS.add(ws)
    try:
        await ws.wait_closed()
    finally:
        CLIENTS.discard(ws)


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt, websockets.ConnectionClosed):
        asyncio.run(main(int(sys.argv[1])))
