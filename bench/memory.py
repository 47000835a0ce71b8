"""Resident memory per idle websocket connection: one Daphne process (in-memory
layer), its RSS before and after N idle feed connections.

    .venv/bin/python bench/memory.py [--connections 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import websockets
from common import (
    CLIENT_CORE,
    daphne_servers,
    make_interview_with_token,
    pin_to,
    server_pids,
    setup_django,
)


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def hold(url: str, token: str, n: int, pid: int) -> tuple[int, int]:
    sockets = []
    for i in range(0, n, 50):
        sockets += await asyncio.gather(
            *(
                websockets.connect(
                    url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30
                )
                for _ in range(min(50, n - i))
            )
        )
    for ws in sockets:
        await ws.recv()  # snapshot: the consumer is fully set up
    await asyncio.sleep(3)
    after = rss_kib(pid)
    for ws in sockets:
        await ws.close()
    return len(sockets), after


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=1000)
    args = parser.parse_args()
    pin_to(CLIENT_CORE)
    setup_django()
    interview, token = make_interview_with_token()
    from interviews.models import Interview

    last_seq = Interview.objects.get(pk=interview.pk).last_seq
    with daphne_servers(count=1) as ports:
        pid = server_pids(ports)[0]
        url = f"ws://127.0.0.1:{ports[0]}/ws/interviews/{interview.pk}/?after_seq={last_seq}"
        # Warm up: one connection, so imports and pools are not counted per socket.
        asyncio.run(hold(url, token, 10, pid))
        time.sleep(1)
        before = rss_kib(pid)
        n, after = asyncio.run(hold(url, token, args.connections, pid))
    per = (after - before) / n
    print(
        f"{n} idle websockets: RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB, {per:.1f} KiB per connection"
    )


if __name__ == "__main__":
    main()
