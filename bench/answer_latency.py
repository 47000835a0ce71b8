"""Answer to insight, as deployed: how long after the candidate's last words of an
answer its insight is on a subscribed live page.

Default settings with analysis ON in the server (the in-process runner), PostgreSQL,
Daphne: N live interviews speaking at a person's pace through the real ingest API
(two interim results, then the final; a question, then a two-final answer whose
last final carries `speech_final`), one websocket viewer per interview. Measured:
the time from posting an answer's last chunk to the first insight event for that
answer on the viewer's socket (p50/p95/max), the backlog of pending chunks over
time, chunks/s, ingest ack p99, and how long the backlog takes to drain when the
stream stops.

    .venv/bin/python bench/answer_latency.py [--interviews 50] [--every 5] [--seconds 60]
        [--provider builtin|openai] [--model-latency 0.5] [--processes 1]
        [--workers 0]

`--provider openai` starts an OpenAI-compatible stand-in on 127.0.0.1 answering
every request after `--model-latency` seconds, and points the server at it
(OPENAI_BASE_URL, AI_PROVIDERS=openai). `--processes` Daphne processes each run
the runner (streams spread over them); `--workers M` (with Redis) runs analysis in
M Celery worker processes instead and the Daphne processes run none.

Roles are set before the stream (a person's choice), so every answer is analysed
from the start; role detection is measured elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import websockets
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import (
    BENCH_REDIS_URL,
    CLIENT_CORE,
    ROOT,
    SERVER_CORE,
    candidate_cv,
    daphne_servers,
    live_interview,
    percentiles,
    pin_to,
    setup_django,
)

from interviews.tests.deepgram_messages import results

QUESTIONS = [
    "¿Cómo diseñarías una API para ingerir eventos?",
    "¿Qué hiciste en tu último proyecto con Python?",
    "¿Cómo mides el rendimiento de un servicio?",
]
# Two finals per answer; the built-in provider has something to say about each
# (a strong answer, a vague one, an evasive one), so every answer gets an insight.
ANSWERS = [
    (
        "Llevo seis años con Python y Django y migré una API que atendía dos mil peticiones.",
        "Medimos el p99 con Prometheus y bajamos la latencia un cuarenta por ciento.",
    ),
    (
        "Bueno, depende, hice varias cosas, un poco de todo.",
        "No sé, la verdad, cosas normales, lo típico.",
    ),
    (
        "Prefiero no hablar de eso ahora mismo.",
        "Eso es confidencial, no puedo contarlo, pasemos a otra cosa.",
    ),
]
HOST, GUEST = 1, 0


# --- The model stand-in -----------------------------------------------------------


def model_answer() -> dict:
    content = json.dumps(
        {
            "insights": [
                {
                    "type": "note",
                    "severity": "info",
                    "content": "Stand-in insight.",
                    "evidence": None,
                    "response_quality": 6,
                    "sentiment": "neutral",
                }
            ],
            "state": {"scores": {"technical": 6}},
        }
    )
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "bench-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


async def start_model_standin(latency: float) -> tuple[web.AppRunner, int, list[int]]:
    """An OpenAI-compatible chat completions endpoint answering after `latency` s."""
    in_flight = [0, 0]  # now, most at once

    async def completions(request: web.Request) -> web.Response:
        await request.read()
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        try:
            await asyncio.sleep(latency)
        finally:
            in_flight[0] -= 1
        return web.json_response(model_answer())

    app = web.Application()
    app.router.add_post("/v1/chat/completions", completions)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port, in_flight


# --- The streams and the viewers --------------------------------------------------


@dataclass
class Answer:
    posted: float  # when the answer's last chunk was posted
    chunk_ids: set[int] = field(default_factory=set)


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    insights_at: dict[int, list[float]] = field(default_factory=dict)  # by transcript id
    chunks_sent: int = 0
    finals_sent: int = 0
    ack_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def view(url: str, token: str, run: Run, stop: asyncio.Event, ready: asyncio.Event) -> None:
    try:
        async with websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, max_queue=None
        ) as ws:
            ready.set()
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                now = time.monotonic()
                msg = json.loads(raw)
                if msg.get("type") != "insight":
                    continue
                chunk = (msg.get("data") or {}).get("transcript_id")
                run.insights_at.setdefault(chunk, []).append(now)
    except Exception as exc:
        ready.set()
        run.errors.append(f"viewer: {exc!r}")


INTERIM_EVERY = 0.7  # Deepgram's interim results while someone speaks


def messages(request_id: str, start: float, text: str, speaker: int, speech_final: bool, count):
    """Deepgram's rhythm: `count` interim results growing into the final."""
    words = text.split()
    for n in range(1, count + 1):
        cut = max(1, len(words) * n // (count + 1))
        yield (
            results(
                " ".join(words[:cut]),
                start=start,
                is_final=False,
                request_id=request_id,
                speaker=speaker,
            ),
            False,
        )
    yield (
        results(
            text, start=start, request_id=request_id, speaker=speaker, speech_final=speech_final
        ),
        True,
    )


async def stream(
    http: aiohttp.ClientSession,
    base_url: str,
    interview_id: int,
    every: float,
    deadline: float,
    run: Run,
    offset: float,
    with_interims: bool = True,
) -> None:
    """A final every `every` seconds, with interim results every 0.7 s before it
    (speech is continuous; none with `with_interims=False`): a question, then a
    two-final answer whose last final has `speech_final`, and again."""
    url = f"{base_url}/api/interviews/{interview_id}/transcripts/"
    request_id = f"answer-bench-{interview_id}"
    interims = max(0, int((every - 0.05) / INTERIM_EVERY)) if with_interims else 0
    start = 0.0
    turn = 0
    await asyncio.sleep(offset)  # interviews do not start in lockstep
    final_at = time.monotonic() + every
    while time.monotonic() < deadline:
        question = QUESTIONS[turn % 3]
        parts = [(question, HOST, True)] + [
            (text, GUEST, i == 1) for i, text in enumerate(ANSWERS[turn % 3])
        ]
        answer_ids: set[int] = set()
        for text, speaker, speech_final in parts:
            chunks = messages(request_id, start, text, speaker, speech_final, interims)
            for n, (body, is_final) in enumerate(chunks):
                at = final_at - (interims - n) * INTERIM_EVERY
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                t0 = time.monotonic()
                ids = []
                try:
                    async with http.post(url, json=body) as r:
                        if r.status in (200, 201):
                            ids = (await r.json()).get("transcripts", [])
                        else:
                            run.errors.append(f"{r.status}: {(await r.text())[:120]}")
                except (aiohttp.ClientError, TimeoutError) as exc:
                    run.errors.append(f"post: {exc!r}")
                run.ack_ms.append((time.monotonic() - t0) * 1000)
                run.chunks_sent += 1
                if not is_final:
                    continue
                run.finals_sent += 1
                if speaker != GUEST:
                    continue
                answer_ids.update(ids)
                if speech_final:
                    run.answers.append(Answer(posted=t0, chunk_ids=set(answer_ids)))
            final_at += every
            start += len(text.split()) * 0.35 + 0.5
        turn += 1


def backlog(interview_ids: list[int]) -> tuple[int, int]:
    """(pending final chunks, answers waiting) across the benchmark's interviews."""
    from django.db import connection

    from interviews.models import Transcript

    pending = list(
        Transcript.objects.filter(interview_id__in=interview_ids)
        .pending_analysis()
        .values_list("speaker", flat=True)
    )
    connection.close()
    return len(pending), pending.count("speaker_0")


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    procs = []
    for n in range(count):
        cmd = [
            "taskset",
            "-c",
            os.environ.get("BENCH_WORKER_CORES", SERVER_CORE),
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "interview_companion.celery",
            "worker",
            "--loglevel=WARNING",
            "--pool=threads",
            f"--concurrency={env.get('AI_CONCURRENCY', '16')}",
            f"--hostname=bench{n}@%h",
        ]
        with tempfile.NamedTemporaryFile(prefix=f"worker-{n}-", suffix=".log", delete=False) as log:
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log))
    return procs


async def measure(args, ports: list[int], rows: list[int], token: str) -> dict:
    from asgiref.sync import sync_to_async

    run = Run()
    stop = asyncio.Event()
    viewers = []
    for n, interview_id in enumerate(rows):
        ready = asyncio.Event()
        port = ports[n % len(ports)]
        url = f"ws://127.0.0.1:{port}/ws/interviews/{interview_id}/"
        viewers.append(asyncio.create_task(view(url, token, run, stop, ready)))
        await ready.wait()
    timeline: list[tuple[float, int, int]] = []
    count = sync_to_async(backlog, thread_sensitive=False)
    began = time.monotonic()
    deadline = began + args.seconds

    async def sample() -> None:
        while not stop.is_set():
            pending, answers = await count(rows)
            timeline.append((time.monotonic() - began, pending, answers))
            await asyncio.sleep(args.sample)

    sampler = asyncio.create_task(sample())
    # aiohttp, not httpx, as the load generator (bench/ingest.py: httpx spends
    # ~3.5 ms of client CPU per request).
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {token}"},
        connector=aiohttp.TCPConnector(limit=len(rows) + 10),
        timeout=aiohttp.ClientTimeout(total=60),
    ) as http:
        await asyncio.gather(
            *[
                stream(
                    http,
                    f"http://127.0.0.1:{ports[n % len(ports)]}",
                    interview_id,
                    args.every,
                    deadline,
                    run,
                    # Spread over a whole question-and-answer cycle (three finals):
                    # answers do not end in waves.
                    offset=3 * args.every * n / len(rows),
                    with_interims=not args.no_interims,
                )
                for n, interview_id in enumerate(rows)
            ]
        )
    streamed = time.monotonic() - began
    drained_after = None
    for _ in range(int(args.drain_timeout / 0.25)):
        pending, _answers = await count(rows)
        if not pending:
            drained_after = time.monotonic() - began - streamed
            break
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)  # the last broadcasts
    stop.set()
    await asyncio.gather(*viewers, sampler)
    latencies = []
    split = unanswered = 0
    for answer in run.answers:
        times = [t for pk in answer.chunk_ids for t in run.insights_at.get(pk, [])]
        after = [t for t in times if t >= answer.posted]
        split += any(t < answer.posted for t in times)  # a part analysed before its end
        if after:
            latencies.append(min(after) - answer.posted)
        else:
            unanswered += 1
    return {
        "run": run,
        "streamed": streamed,
        "latency": percentiles(latencies),
        "answers": len(run.answers),
        "answers_without_insight": unanswered,
        "answers_in_parts": split,
        "drained_after": drained_after,
        "timeline": timeline,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=50)
    parser.add_argument("--every", type=float, default=5.0, help="seconds between finals")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--provider", choices=["builtin", "openai"], default="builtin")
    parser.add_argument("--model-latency", type=float, default=0.5)
    parser.add_argument("--processes", type=int, default=1, help="Daphne processes")
    parser.add_argument(
        "--workers", type=int, default=0, help="Celery analysis workers (needs Redis)"
    )
    parser.add_argument("--concurrency", type=int, default=None, help="AI_CONCURRENCY")
    parser.add_argument(
        "--no-interims",
        action="store_true",
        help="post finals only (one delivery per utterance, no interim results)",
    )
    parser.add_argument("--sample", type=float, default=5.0, help="backlog sample period")
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    pin_to(CLIENT_CORE)
    setup_django(redis=bool(args.workers))
    from accounts.models import User
    from accounts.services import api_token_create
    from candidates.models import Candidate
    from interviews.services import interview_set_roles

    user, _ = User.objects.get_or_create(email="answers@example.com", defaults={"name": "Answers"})
    rows = []
    for n in range(args.interviews):
        # A candidate and CV per interview, as live interviews have.
        candidate = Candidate.objects.create(name=f"Answer Bench {n}", cv_data=candidate_cv(n))
        interview = live_interview(candidate=candidate, user=user)
        interview_set_roles(interview=interview, host="speaker_1", guest="speaker_0")
        rows.append(interview.pk)
    _row, token = api_token_create(user=user, name="answers")

    async def scenario() -> dict:
        env = {
            "ANALYSIS_IN_PROCESS": os.environ.get("BENCH_ANALYSIS_IN_PROCESS", "true"),
            "AI_PROVIDERS": args.provider,
            "DB_POOL_MAX_SIZE": os.environ.get("DB_POOL_MAX_SIZE", "40"),
        }
        if args.concurrency:
            env["AI_CONCURRENCY"] = str(args.concurrency)
        standin = None
        if args.provider == "openai":
            standin, port, in_flight = await start_model_standin(args.model_latency)
            env.update(
                OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1",
                OPENAI_API_KEY="bench-key",
            )
        workers = []
        if args.workers:
            env["ANALYSIS_WORKERS"] = "celery"
            env["CELERY_BROKER_URL"] = os.environ.get("BENCH_CELERY_BROKER_URL", BENCH_REDIS_URL)
            worker_env = {
                **os.environ,
                **env,
                "REDIS_URL": BENCH_REDIS_URL,
                "DATABASE_URL": os.environ["DATABASE_URL"],
                # A psycopg pool per worker, shared by its threads (README).
                "DB_POOL": "true",
                "LOG_LEVEL": "WARNING",
            }
            workers = start_workers(args.workers, worker_env)
        try:
            # Several processes share events through Redis, as deployed (README).
            shared = bool(args.workers) or args.processes > 1
            with daphne_servers(count=args.processes, redis=shared, extra_env=env) as ports:
                result = await measure(args, ports, rows, token)
        finally:
            for proc in workers:
                proc.terminate()
            for proc in workers:
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
            if standin is not None:
                result_in_flight = in_flight[1]
                await standin.cleanup()
        if standin is not None:
            result["model_in_flight_max"] = result_in_flight
        return result

    result = asyncio.run(scenario())
    run: Run = result["run"]
    lat = result["latency"]
    ack = percentiles(run.ack_ms)
    where = (
        f"{args.workers} Celery worker(s)"
        if args.workers
        else f"{args.processes} Daphne process(es) with the runner"
    )
    model = f"openai stand-in {args.model_latency:g} s" if args.provider == "openai" else "builtin"
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {args.interviews} interviews, "
        f"a final every {args.every:g} s each ({args.interviews / args.every:.1f} finals/s), "
        f"{args.seconds:.0f} s; {model}; {where}"
        + ("; finals only, no interim results" if args.no_interims else "")
    )
    print(
        f"answer -> insight: p50 {lat['p50']:.2f} s, p95 {lat['p95']:.2f} s, "
        f"max {lat['max']:.2f} s over {result['answers']} answers "
        f"({result['answers_without_insight']} without an insight after their end, "
        f"{result['answers_in_parts']} with a part analysed before it)"
    )
    print(
        f"posted {run.chunks_sent} chunks ({run.chunks_sent / result['streamed']:.0f}/s), "
        f"{run.finals_sent} finals; ingest ack p50 {ack['p50']:.1f} ms, p99 {ack['p99']:.1f} ms; "
        f"{len(run.errors)} errors"
    )
    drained = result["drained_after"]
    print(
        "backlog drained "
        + (f"{drained:.1f} s after the last post" if drained is not None else "NOT within timeout")
    )
    if "model_in_flight_max" in result:
        print(f"model requests in flight at most: {result['model_in_flight_max']}")
    print(
        "backlog (t s: pending final chunks / the candidate's): "
        + ", ".join(f"{t:.0f}: {p}/{a}" for t, p, a in result["timeline"])
    )
    for error in run.errors[:10]:
        print("  error:", error)


if __name__ == "__main__":
    main()
