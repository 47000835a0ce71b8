"""Ingest throughput: concurrent simulated live streams posting Deepgram chunks over
HTTP to the app (Daphne, PostgreSQL), at a realistic pace and then as fast as
possible; compared with raw psycopg inserts of the same rows.

    .venv/bin/python bench/ingest.py [--streams 100] [--seconds 20] [--rates 200 500]
                                     [--processes 1]

Each offered rate is spread over the streams, which start at random moments of
their interval (interviews do not start in lockstep) and then send on the clock; a
stream still waits for each acknowledgement before its next message, so a server
that cannot keep up shows it as fewer chunks/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (
    BENCH_DATABASE_URL,
    CLIENT_CORE,
    daphne_servers,
    live_interview,
    percentiles,
    pin_to,
    setup_django,
)

from interviews.tests.deepgram_messages import results

WORDS = [
    "pues",
    "en",
    "mi",
    "último",
    "proyecto",
    "migramos",
    "la",
    "api",
    "a",
    "django",
    "con",
    "postgresql",
    "y",
    "redis",
]


def utterance_messages(stream: int, index: int) -> list[dict]:
    """Two interim results and the final of one utterance, as Deepgram sends them."""
    start = index * 4.0
    text = " ".join(WORDS[: 6 + index % 8])
    words = text.split()
    request_id = f"bench-{stream}"
    return [
        results(
            " ".join(words[:3]),
            start=start,
            is_final=False,
            request_id=request_id,
            speaker=index % 2,
        ),
        results(
            " ".join(words[:-2]),
            start=start,
            is_final=False,
            request_id=request_id,
            speaker=index % 2,
        ),
        results(text, start=start, is_final=True, request_id=request_id, speaker=index % 2),
    ]


async def stream(http, url, stream_no, interval, deadline, latencies, sent_finals, first_index):
    index = first_index
    # Live interviews do not start in lockstep; after its start a stream keeps the
    # audio's pace (a message every `interval` seconds by the clock, not `interval`
    # after the last acknowledgement, so a slow answer does not lower the rate offered).
    next_at = time.perf_counter() + random.uniform(0, interval)
    while time.perf_counter() < deadline:
        for message in utterance_messages(stream_no, index):
            body = json.dumps(message)
            if interval:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            t0 = time.perf_counter()
            async with http.post(url, data=body) as response:
                text = await response.read()
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status >= 300:
                raise RuntimeError(f"{response.status} {text[:200]!r}")
        sent_finals.append((stream_no, index))
        index += 1
    return index


async def phase(ports, interviews, token, seconds, interval, offsets):
    latencies: list[float] = []
    sent_finals: list = []
    deadline = time.perf_counter() + seconds
    # aiohttp, not httpx, as the load generator: at ~3.5 ms of client CPU per
    # request httpx could not offer more than ~300 requests/s from one core.
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        connector=aiohttp.TCPConnector(limit=len(interviews)),
        timeout=aiohttp.ClientTimeout(total=30),
    ) as http:
        started = time.perf_counter()
        ends = await asyncio.gather(
            *(
                stream(
                    http,
                    f"http://127.0.0.1:{ports[i % len(ports)]}/api/interviews/{iv.pk}/transcripts/",
                    i,
                    interval,
                    deadline,
                    latencies,
                    sent_finals,
                    offsets[i],
                )
                for i, iv in enumerate(interviews)
            )
        )
        elapsed = time.perf_counter() - started
    return latencies, sent_finals, elapsed, ends


def raw_psycopg(rows: int) -> tuple[float, dict[str, float]]:
    """The floor: the same transcript rows inserted by psycopg, one per transaction;
    rows/s and the latency of each commit (what the disk's fsync costs here)."""
    import psycopg

    from interviews.models import Interview

    interview_id = Interview.objects.order_by("-pk").values_list("pk", flat=True).first()
    latencies = []
    with psycopg.connect(BENCH_DATABASE_URL, autocommit=True) as conn:
        started = time.perf_counter()
        for i in range(rows):
            t0 = time.perf_counter()
            conn.execute(
                "INSERT INTO transcripts (interview_id, timestamp, text, speaker, is_interim, confidence,"
                " request_id, channel_index, start_ms, end_ms, duration_ms, run)"
                " VALUES (%s, now(), %s, 'speaker_0', false, 95, %s, 0, %s, 0, 0, 0)",
                [interview_id, " ".join(WORDS[:10]), f"raw-{time.time_ns()}", i],
            )
            latencies.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        conn.execute("DELETE FROM transcripts WHERE request_id LIKE 'raw-%%'")
    return rows / elapsed, percentiles(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=[200, 500],
        help="offered chunks/s over all streams (200 = 100 streams at Deepgram's pace,"
        " a message every 0.5 s), each followed by a flat-out phase",
    )
    args = parser.parse_args()
    pin_to(CLIENT_CORE)
    setup_django(redis=args.processes > 1)
    from accounts.models import User
    from accounts.services import api_token_create
    from candidates.models import Candidate
    from interviews.models import Transcript

    user, _ = User.objects.get_or_create(email="bench@example.com", defaults={"name": "Bench"})
    candidate = Candidate.objects.create(name="Ingest bench")
    interviews = [live_interview(candidate=candidate, user=user) for _ in range(args.streams)]
    _row, token = api_token_create(user=user, name="ingest-bench")

    with daphne_servers(count=args.processes, redis=args.processes > 1) as ports:
        offsets = [0] * len(interviews)
        phases = [(f"{rate:.0f}/s", args.streams / rate, args.seconds) for rate in args.rates]
        for name, interval, seconds in [*phases, ("flat out", 0.0, args.seconds / 2)]:
            lat, finals, elapsed, offsets = asyncio.run(
                phase(ports, interviews, token, seconds, interval, offsets)
            )
            if not interval:
                flat_out = len(lat) / elapsed
            p = percentiles(lat)
            print(
                f"[{name:9}] {len(interviews)} streams x {args.processes} process(es): "
                f"{len(lat) / elapsed:7.1f} chunks/s  ack p50 {p['p50']:.1f} ms  p99 {p['p99']:.1f} ms"
                f"  max {p['max']:.1f} ms  ({len(lat)} chunks, {len(finals)} utterances)",
                flush=True,
            )
    ids = [iv.pk for iv in interviews]
    rows = Transcript.objects.filter(interview_id__in=ids).count()
    interim_left = Transcript.objects.filter(interview_id__in=ids, is_interim=True).count()
    expected = sum(offsets)  # utterances started per stream (finals or in flight)
    print(f"rows written {rows} / utterances sent {expected}  (interim rows left: {interim_left})")
    raw, commit = raw_psycopg(5000)
    print(
        f"raw psycopg inserts: {raw:.0f} rows/s (one transaction each); each commit p50"
        f" {commit['p50']:.2f} ms p99 {commit['p99']:.2f} ms max {commit['max']:.1f} ms"
    )
    print(f"ratio app flat out / raw psycopg: {flat_out / raw:.2f}")
    # Left live with unanalysed chunks, these would be the first work of the next
    # benchmark that runs the analysis runner (the soak) and skew it.
    candidate.delete()


if __name__ == "__main__":
    main()
