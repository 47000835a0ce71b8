"""Broadcast latency: N real websocket clients on one interview, insights committed
through the real service (PATCH /api/insights/<id>/) at a steady rate.

    .venv/bin/python bench/broadcast.py [--clients 100 1000] [--messages 100] [--rate 10]

Modes: one Daphne process with the in-memory channel layer, and two Daphne
processes sharing the Redis channel layer (clients split between them, commits on
the first). Latency is measured from each event's commit (the created_at of its log row,
stamped in the committing transaction; same machine, same clock) to each client's
receipt, and also from the moment the HTTP request was sent; the same clients then
measure a bare `websockets.broadcast` server (from the moment it is told to send).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time

import httpx
import websockets
from common import (
    CLIENT_CORE,
    daphne_servers,
    free_port,
    make_interview_with_token,
    percentiles,
    pin_to,
    setup_django,
)


async def _connect_all(urls: list[str], headers: dict) -> list:
    sockets = []
    for i in range(0, len(urls), 50):  # connect in waves: no accept-queue storm
        batch = urls[i : i + 50]
        sockets += await asyncio.gather(
            *(
                websockets.connect(u, additional_headers=headers, max_queue=None, open_timeout=30)
                for u in batch
            )
        )
    return sockets


async def _reader(ws, received: dict, key_of) -> None:
    try:
        async for raw in ws:
            now = time.time()
            key = key_of(raw)
            if key is not None:
                received.setdefault(key, []).append(now)
    except websockets.ConnectionClosed:
        pass


def prepare() -> tuple:
    from interviews.models import AIInsight, Interview

    interview, token = make_interview_with_token()
    insight = AIInsight.objects.create(
        interview=interview, type="suggestion", content="Ask about tests"
    )
    last_seq = Interview.objects.get(pk=interview.pk).last_seq
    return interview, token, insight, last_seq


async def run_app(
    ports: list[int], clients: int, messages: int, rate: float, prepared: tuple
) -> dict:
    interview, token, insight, last_seq = prepared
    headers = {"Authorization": f"Bearer {token}"}
    urls = [
        f"ws://127.0.0.1:{ports[i % len(ports)]}/ws/interviews/{interview.pk}/?after_seq={last_seq}"
        for i in range(clients)
    ]
    sockets = await _connect_all(urls, headers)
    received: dict[int, list[float]] = {}

    def seq_of(raw: str):
        msg = json.loads(raw)
        return None if msg.get("snapshot") else msg["seq"]

    readers = [asyncio.create_task(_reader(ws, received, seq_of)) for ws in sockets]
    await asyncio.sleep(1.0)  # snapshots drained
    sent: dict[int, float] = {}
    acks = []
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[0]}", headers=headers) as http:
        for k in range(1, messages + 1):
            t0 = time.time()
            sent[last_seq + k] = t0
            r = await http.patch(f"/api/insights/{insight.pk}/", json={"used": k % 2 == 1})
            r.raise_for_status()
            acks.append((time.time() - t0) * 1000)
            await asyncio.sleep(max(0.0, 1 / rate - (time.time() - t0)))
    await asyncio.sleep(2.0)
    for ws in sockets:
        await ws.close()
    await asyncio.gather(*readers)
    latencies = [
        (t - sent[seq]) * 1000 for seq, times in received.items() if seq in sent for t in times
    ]
    delivered = sum(len(v) for seq, v in received.items() if seq in sent)
    return {
        "request_latency": percentiles(latencies),
        "delivered": delivered,
        "expected": clients * messages,
        "ack": percentiles(acks),
        "received": received,
        "sent": sent,
        "interview_id": interview.pk,
    }


def commit_latency(result: dict) -> dict:
    """Latency from each event's commit (its log row's created_at, stamped inside the
    committing transaction) to each client's receipt: the figure the target names."""
    from interviews.models import InterviewEvent

    committed = {
        seq: created.timestamp()
        for seq, created in InterviewEvent.objects.filter(
            interview_id=result["interview_id"], seq__in=list(result["sent"])
        ).values_list("seq", "created_at")
    }
    return percentiles(
        [
            (t - committed[seq]) * 1000
            for seq, times in result["received"].items()
            if seq in committed
            for t in times
        ]
    )


async def run_bare(clients: int, messages: int, rate: float) -> dict:
    """The same clients against a bare websockets.broadcast server in this process
    pinned... (it runs in a subprocess on the server core, like Daphne)."""
    import subprocess
    import sys

    port = free_port()
    from common import ROOT, SERVER_CORE

    proc = subprocess.Popen(
        [
            "taskset",
            "-c",
            SERVER_CORE,
            sys.executable,
            str(ROOT / "bench/bare_server.py"),
            str(port),
        ]
    )
    try:
        for _ in range(100):
            try:
                async with websockets.connect(f"ws://127.0.0.1:{port}/"):
                    break
            except OSError:
                await asyncio.sleep(0.1)
        sockets = await _connect_all([f"ws://127.0.0.1:{port}/"] * clients, {})
        received: dict[int, list[float]] = {}
        readers = [
            asyncio.create_task(_reader(ws, received, lambda raw: json.loads(raw)["seq"]))
            for ws in sockets
        ]
        control = await websockets.connect(f"ws://127.0.0.1:{port}/control")
        await asyncio.sleep(1.0)
        sent = {}
        for k in range(1, messages + 1):
            t0 = time.time()
            sent[k] = t0
            await control.send(
                json.dumps({"type": "insight", "seq": k, "id": 1, "data": {"used": k % 2 == 1}})
            )
            await asyncio.sleep(max(0.0, 1 / rate - (time.time() - t0)))
        await asyncio.sleep(2.0)
        await control.close()
        for ws in sockets:
            await ws.close()
        await asyncio.gather(*readers)
        latencies = [(t - sent[s]) * 1000 for s, times in received.items() for t in times]
        delivered = sum(len(v) for v in received.values())
        return {
            "latency": percentiles(latencies),
            "delivered": delivered,
            "expected": clients * messages,
        }
    finally:
        proc.terminate()
        proc.wait()


def fmt(result: dict) -> str:
    lat = result["latency"]
    return (
        f"p50 {lat['p50']:7.1f}  p95 {lat['p95']:7.1f}  p99 {lat['p99']:7.1f}  max {lat['max']:7.1f} ms"
        f"  delivered {result['delivered']}/{result['expected']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="commits per second")
    parser.add_argument("--modes", nargs="+", default=["memory", "redis2"])
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    pin_to(CLIENT_CORE)
    for mode in args.modes:
        setup_django(redis=mode == "redis2")
        for n in args.clients:
            with daphne_servers(
                count=2 if mode == "redis2" else 1, redis=mode == "redis2"
            ) as ports:
                app = asyncio.run(run_app(ports, n, args.messages, args.rate, prepare()))
            app["latency"] = commit_latency(app)
            bare = asyncio.run(run_bare(n, args.messages, args.rate))
            ratio = (
                app["latency"]["p50"] / bare["latency"]["p50"]
                if bare["latency"]["p50"]
                else float("nan")
            )
            ratio99 = (
                app["latency"]["p99"] / bare["latency"]["p99"]
                if bare["latency"]["p99"]
                else float("nan")
            )
            req = app["request_latency"]
            print(f"[{mode:7}] N={n:5}  app : {fmt(app)}  (commit to client)")
            print(
                f"[{mode:7}] N={n:5}  app : request sent to client p50 {req['p50']:.1f}"
                f"  p99 {req['p99']:.1f} ms; HTTP ack p50 {app['ack']['p50']:.1f} ms"
            )
            print(f"[{mode:7}] N={n:5}  bare: {fmt(bare)}")
            print(
                f"[{mode:7}] N={n:5}  ratio app/bare: p50 {ratio:.2f}x  p99 {ratio99:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
