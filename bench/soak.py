"""Soak: many live interviews at once at realistic chunk rates, several viewers each,
on one Daphne process with the analysis runner inside. Zero errors, zero lost
chunks or insights (every viewer sees every final row and every insight the
database holds), and memory flat at the end.

    .venv/bin/python bench/soak.py [--interviews 50] [--seconds 120] [--viewers 3]

`tests/test_soak.py` runs a short version of the same code in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field

import httpx
import websockets

QUESTIONS = [
    "¿Cuántos años llevas trabajando con Python?",
    "¿Cómo diseñarías una API para ingerir eventos?",
    "¿Qué hiciste en tu último proyecto?",
]
ANSWERS = [
    "Llevo seis años con Python y Django, migré una API que atendía 2000 peticiones por segundo.",
    "Bueno, depende, hice varias cosas, un poco de todo.",
    "Usaría colas con Redis y un idempotency key, medimos el p99 con Prometheus.",
]


def message(request_id: str, start: float, text: str, speaker: int, is_final: bool) -> dict:
    words = text.split()
    return {
        "type": "Results",
        "channel_index": [0, 1],
        "start": start,
        "duration": round(len(words) * 0.35, 2),
        "is_final": is_final,
        "speech_final": is_final,
        "channel": {
            "alternatives": [
                {
                    "transcript": text,
                    "confidence": 0.93,
                    "words": [
                        {
                            "word": w.lower(),
                            "punctuated_word": w,
                            "start": start + i * 0.35,
                            "end": start + (i + 1) * 0.35,
                            "confidence": 0.93,
                            "speaker": speaker,
                        }
                        for i, w in enumerate(words)
                    ],
                }
            ]
        },
        "metadata": {"request_id": request_id},
    }


@dataclass
class Viewer:
    transcripts: dict[int, dict] = field(default_factory=dict)
    insights: set[int] = field(default_factory=set)
    seqs: list[int] = field(default_factory=list)


@dataclass
class SoakResult:
    chunks_sent: int = 0
    errors: list[str] = field(default_factory=list)
    ack_ms: list[float] = field(default_factory=list)
    viewers: dict[tuple[int, int], Viewer] = field(default_factory=dict)


async def _view(
    url: str, token: str, viewer: Viewer, stop: asyncio.Event, errors: list[str]
) -> None:
    try:
        async with websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, max_queue=None
        ) as ws:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                msg = json.loads(raw)
                if msg.get("snapshot"):
                    continue
                if viewer.seqs and msg["seq"] != viewer.seqs[-1] + 1:
                    errors.append(f"gap or duplicate: {viewer.seqs[-1]} -> {msg['seq']}")
                viewer.seqs.append(msg["seq"])
                if msg["type"] == "transcript":
                    viewer.transcripts[msg["id"]] = msg["data"]
                elif msg["type"] == "insight":
                    viewer.insights.add(msg["id"])
    except Exception as exc:
        errors.append(f"viewer: {exc!r}")


async def _stream(
    base_url: str, interview_id: int, token: str, seconds: float, result: SoakResult
) -> None:
    rng = random.Random(interview_id)
    url = f"{base_url}/api/interviews/{interview_id}/transcripts/"
    start = 0.0
    turn = 0
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        await asyncio.sleep(rng.random())  # streams do not start in lockstep
        while time.monotonic() < deadline:
            host = turn % 2 == 0
            text = (QUESTIONS if host else ANSWERS)[(turn // 2) % 3]
            words = text.split()
            # Deepgram's rhythm: interim results about every 0.7 s, then the final.
            for cut, final in (
                (len(words) // 3, False),
                (2 * len(words) // 3, False),
                (len(words), True),
            ):
                t0 = time.monotonic()
                try:
                    r = await http.post(
                        url,
                        json=message(
                            f"soak-{interview_id}", start, " ".join(words[:cut]), int(host), final
                        ),
                    )
                    if r.status_code not in (200, 201):
                        result.errors.append(f"{r.status_code}: {r.text[:120]}")
                except httpx.HTTPError as exc:
                    result.errors.append(f"post: {exc!r}")
                result.ack_ms.append((time.monotonic() - t0) * 1000)
                result.chunks_sent += 1
                await asyncio.sleep(max(0.0, 0.7 - (time.monotonic() - t0)))
            start += len(words) * 0.35 + 0.5
            turn += 1


async def soak(
    base_urls: list[str],
    interviews: list[tuple[int, int]],
    token: str,
    seconds: float,
    viewers: int,
    settle,
    on_progress=None,
) -> SoakResult:
    """`interviews` are (id, last_seq); `settle()` waits until analysis is done."""
    result = SoakResult()
    stop = asyncio.Event()
    tasks = []
    for n, (interview_id, last_seq) in enumerate(interviews):
        for v in range(viewers):
            viewer = result.viewers.setdefault((interview_id, v), Viewer())
            ws_url = base_urls[(n + v) % len(base_urls)].replace("http", "ws", 1)
            tasks.append(
                asyncio.create_task(
                    _view(
                        f"{ws_url}/ws/interviews/{interview_id}/?after_seq={last_seq}",
                        token,
                        viewer,
                        stop,
                        result.errors,
                    )
                )
            )
    await asyncio.sleep(1.0)
    streams = [
        _stream(base_urls[n % len(base_urls)], interview_id, token, seconds, result)
        for n, (interview_id, _seq) in enumerate(interviews)
    ]
    if on_progress:
        streams.append(on_progress(seconds))
    await asyncio.gather(*streams)
    await settle()
    await asyncio.sleep(2.0)  # the last broadcasts
    stop.set()
    await asyncio.gather(*tasks)
    return result


def check(result: SoakResult, interview_ids: list[int]) -> dict:
    """Compare what every viewer saw with what the database holds."""
    from interviews.models import AIInsight, Transcript

    finals = {
        i: set(
            Transcript.objects.filter(interview_id=i, is_interim=False).values_list("pk", flat=True)
        )
        for i in interview_ids
    }
    insights = {
        i: set(AIInsight.objects.filter(interview_id=i).values_list("pk", flat=True))
        for i in interview_ids
    }
    lost_rows = lost_insights = 0
    for (interview_id, _v), viewer in result.viewers.items():
        seen_final = {pk for pk, data in viewer.transcripts.items() if not data.get("is_interim")}
        lost_rows += len(finals[interview_id] - seen_final)
        lost_insights += len(insights[interview_id] - viewer.insights)
    pending = Transcript.objects.filter(interview_id__in=interview_ids).pending_analysis().count()
    return {
        "final_rows": sum(len(v) for v in finals.values()),
        "insights": sum(len(v) for v in insights.values()),
        "lost_rows": lost_rows,
        "lost_insights": lost_insights,
        "pending_analysis": pending,
        "errors": len(result.errors),
    }


def main() -> None:
    from common import (
        CLIENT_CORE,
        daphne_servers,
        live_interview,
        percentiles,
        pin_to,
        server_pids,
        setup_django,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--viewers", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    pin_to(CLIENT_CORE)
    setup_django()
    from asgiref.sync import sync_to_async

    from accounts.models import User
    from accounts.services import api_token_create
    from candidates.models import Candidate
    from interviews.models import Transcript

    user, _ = User.objects.get_or_create(email="soak@example.com", defaults={"name": "Soak"})
    candidate = Candidate.objects.create(name="Soak")
    rows = []
    for _ in range(args.interviews):
        interview = live_interview(candidate=candidate, user=user)
        rows.append((interview.pk, interview.last_seq))
    _row, token = api_token_create(user=user, name="soak")
    ids = [pk for pk, _ in rows]

    with daphne_servers(
        count=1, extra_env={"ANALYSIS_IN_PROCESS": "true", "ANALYSIS_POLL_SECONDS": "1"}
    ) as ports:
        pid = server_pids(ports)[0]
        memory = []

        def rss() -> int:
            with open(f"/proc/{pid}/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

        async def progress(seconds: float) -> None:
            for _ in range(4):
                await asyncio.sleep(seconds / 4)
                memory.append(rss())

        async def settle() -> None:
            pending = sync_to_async(
                lambda: Transcript.objects.filter(interview_id__in=ids).pending_analysis().count()
            )
            for _ in range(240):
                if not await pending():
                    return
                await asyncio.sleep(0.5)

        result = asyncio.run(
            soak(
                [f"http://127.0.0.1:{p}" for p in ports],
                rows,
                token,
                args.seconds,
                args.viewers,
                settle,
                progress,
            )
        )
        memory.append(rss())
    summary = check(result, ids)
    ack = percentiles(result.ack_ms)
    print(
        f"{args.interviews} interviews x {args.viewers} viewers, {args.seconds:.0f} s: "
        f"{result.chunks_sent} chunks posted, {summary['errors']} errors, "
        f"{summary['lost_rows']} rows and {summary['lost_insights']} insights missed by viewers, "
        f"{summary['pending_analysis']} chunks left unanalysed; "
        f"{summary['final_rows']} final rows, {summary['insights']} insights; "
        f"ack p50 {ack['p50']:.1f} ms p99 {ack['p99']:.1f} ms"
    )
    print(
        "server RSS (MiB) at 25/50/75/100% and end: " + " ".join(f"{m / 1024:.1f}" for m in memory)
    )
    for error in result.errors[:10]:
        print("  error:", error)


if __name__ == "__main__":
    main()
