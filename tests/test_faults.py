"""Faults survived on real processes: Redis down, PostgreSQL gone mid-stream, the
server killed during a burst. PostgreSQL only (the servers share the test database)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import websockets

from accounts.services import api_token_create
from interviews.models import AIInsight, Transcript
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory
from tests.servers import RedisServer, Server, TcpProxy, daphne, subprocess_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live(alice):
    interview = InterviewFactory(interviewer=alice)
    interview_transition(interview=interview, to="live")
    _row, token = api_token_create(user=alice, name="faults")
    return interview, token


def post_chunk(server_url, interview, token, message, timeout=10):
    return httpx.post(
        f"{server_url}/api/interviews/{interview.pk}/transcripts/",
        json=message,
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )


async def read_feed(url: str, token: str, quiet: float = 1.0) -> list[dict]:
    messages = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        while True:
            try:
                messages.append(json.loads(await asyncio.wait_for(ws.recv(), quiet)))
            except TimeoutError:
                return messages


def test_ingest_keeps_committing_while_redis_is_down_and_clients_catch_up(live):
    interview, token = live
    redis = RedisServer().start()
    try:
        with daphne(
            {
                "DATABASE_URL": subprocess_database_url(),
                "REDIS_URL": redis.url,
                "ANALYSIS_IN_PROCESS": "false",
                # /healthz names the part that is down only to a token holder.
                "HEALTHZ_TOKEN": "faults-probe",
            }
        ) as server:
            ws_url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/"
            first = asyncio.run(read_feed(ws_url, token))
            last_seq = max(m["seq"] for m in first)

            redis.stop()
            acked = []
            for i in range(5):
                started = time.monotonic()
                response = post_chunk(
                    server.url, interview, token, results(f"frase {i}", start=i * 2.0)
                )
                assert response.status_code == 201, response.text
                assert time.monotonic() - started < 3  # a sick Redis does not hold ingest
                acked += response.json()["transcripts"]
            assert Transcript.objects.filter(pk__in=acked).count() == 5
            health = httpx.get(
                f"{server.url}/healthz", headers={"X-Healthz-Token": "faults-probe"}, timeout=10
            )
            assert health.status_code == 503 and health.json()["channel_layer"].startswith("down")

            redis.start()  # back, on the same port
            replay = asyncio.run(read_feed(f"{ws_url}?after_seq={last_seq}", token))
    finally:
        redis.stop()
    texts = [m["data"]["text"] for m in replay if m["type"] == "transcript"]
    assert texts == [f"frase {i}" for i in range(5)]
    seqs = [m["seq"] for m in replay if not m.get("snapshot")]
    assert seqs == list(range(last_seq + 1, last_seq + 6))


def test_a_dropped_database_connection_is_a_503_and_the_retry_is_not_duplicated(live):
    interview, token = live
    proxy = TcpProxy(5432).start()
    try:
        env = {
            "DATABASE_URL": subprocess_database_url(port=proxy.port),
            "ANALYSIS_IN_PROCESS": "false",
            "DB_CONN_MAX_AGE": "60",
            "DB_CONNECT_TIMEOUT": "2",
        }
        with daphne(env) as server:
            ok = post_chunk(server.url, interview, token, results("antes del corte", start=0.0))
            assert ok.status_code == 201

            proxy.cut()
            chunk = results("durante el corte", start=3.0)
            failed = post_chunk(server.url, interview, token, chunk)
            assert failed.status_code == 503
            assert int(failed.headers["Retry-After"]) > 0
            assert "retry" in failed.json()["error"].lower()

            proxy.restore()
            retried = post_chunk(server.url, interview, token, chunk)
            again = post_chunk(server.url, interview, token, chunk)
            assert retried.status_code == 201
            assert again.status_code == 200 and again.json()["duplicates"] == 1
            assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        proxy.stop()
    texts = list(Transcript.objects.filter(interview=interview).values_list("text", flat=True))
    assert sorted(texts) == ["antes del corte", "durante el corte"]


def test_a_killed_server_loses_no_acknowledged_chunk_and_analyses_each_once(live):
    interview, token = live
    env = {
        "DATABASE_URL": subprocess_database_url(),
        "ANALYSIS_IN_PROCESS": "true",
        "ANALYSIS_POLL_SECONDS": "0.2",
    }
    questions = ["¿Cuántos años llevas con Python?", "¿Qué hiciste en tu último proyecto?"]
    answers = [
        "Llevo seis años con Python y Django, migré una API que atendía 2000 peticiones por segundo.",
        "Bueno, hice varias cosas, un poco de todo, depende.",
    ]
    acked: set[int] = set()
    server = Server(env).start()
    try:
        for i in range(30):
            speaker = i % 2
            text = questions[(i // 2) % 2] if speaker else answers[(i // 2) % 2]
            message = results(text, start=i * 4.0, speaker=1 - speaker)
            response = post_chunk(server.url, interview, token, message)
            assert response.status_code in (200, 201)
            acked.update(response.json()["transcripts"])
            if i == 20:
                server.kill()  # mid-burst, mid-analysis
                server = Server(env, port=server.port).start()
        # Wait for the restarted server's runner to finish the backlog.
        deadline = time.monotonic() + 60
        while (
            time.monotonic() < deadline
            and Transcript.objects.pending_analysis().filter(interview=interview).exists()
        ):
            time.sleep(0.5)
    finally:
        server.stop()
    stored = set(Transcript.objects.filter(interview=interview).values_list("pk", flat=True))
    assert acked <= stored
    assert not Transcript.objects.pending_analysis().filter(interview=interview).exists()
    # Each chunk's insights come from exactly one commit (one timestamp per chunk).
    per_chunk: dict[int, set] = {}
    for transcript_id, ts in AIInsight.objects.filter(interview=interview).values_list(
        "transcript_id", "timestamp"
    ):
        per_chunk.setdefault(transcript_id, set()).add(ts)
    assert per_chunk and all(len(stamps) == 1 for stamps in per_chunk.values())
