"""Rate limits on a real Daphne: a flood of bad tokens from one address never
locks out a valid token from it (ingest fast path and websocket), bad websocket
tokens are counted and then refused with close 4429, and two X-Forwarded-For
header lines name the same client on the fast path and in Django.

The server counts in its own cache (locmem, or the Redis of `CACHE_URL` when the
suite runs with one), so the limits are those of the environment given below."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import websockets

from accounts.services import api_token_create
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory
from tests.servers import Server, subprocess_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BAD = "ic_" + "B" * 40


@pytest.fixture
def server():
    env = {
        "DATABASE_URL": subprocess_database_url(),
        "ANALYSIS_IN_PROCESS": "false",
        "AUTH_RATE_LIMIT": "3",
        "BEHIND_PROXY": "true",
    }
    running = Server(env).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def interview(alice):
    return interview_transition(interview=InterviewFactory(interviewer=alice), to="live")


def post_chunk(server, interview, token, start: float, forwarded=("203.0.113.9",)) -> int:
    """A transcript POST through the fast path (an API token), as sent through a
    proxy that appends the client's address as its own X-Forwarded-For line."""
    headers = [("Authorization", f"Bearer {token}")]
    headers += [("X-Forwarded-For", line) for line in forwarded]
    response = httpx.post(
        f"{server.url}/api/interviews/{interview.pk}/transcripts/",
        json=results("hola", start=start),
        headers=headers,
        timeout=10,
    )
    return response.status_code


def django_get(server, token, forwarded=("203.0.113.9",)) -> int:
    """A bearer request that Django's middleware authenticates (not the fast path)."""
    headers = [("Authorization", f"Bearer {token}")]
    headers += [("X-Forwarded-For", line) for line in forwarded]
    return httpx.get(f"{server.url}/healthz", headers=headers, timeout=10).status_code


def test_a_valid_token_is_written_on_the_fast_path_after_a_flood_of_bad_ones(
    server, alice, interview
):
    _row, good = api_token_create(user=alice, name="relay")

    flood = [post_chunk(server, interview, BAD, start=1.0) for _ in range(5)]
    written = post_chunk(server, interview, good, start=1.0)

    assert flood == [401, 401, 401, 429, 429]
    assert written == 201
    assert interview.transcripts.count() == 1


async def websocket_close_code(server, interview, token, forwarded="203.0.113.9"):
    """The code a token-authenticated socket is closed with; None if it stayed open
    (it then sent the interview's snapshot)."""
    async with websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/",
        additional_headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": forwarded},
    ) as ws:
        try:
            await asyncio.wait_for(ws.recv(), 5)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code
        return None


def test_bad_websocket_tokens_are_counted_and_refused_with_4429_but_a_valid_one_connects(
    server, alice, interview
):
    _row, good = api_token_create(user=alice, name="relay")

    async def scenario():
        bad = [await websocket_close_code(server, interview, BAD) for _ in range(4)]
        return bad, await websocket_close_code(server, interview, good)

    bad, valid = asyncio.run(scenario())

    assert bad == [4401, 4401, 4401, 4429]
    assert valid is None
    # The websocket's failures count over HTTP too.
    assert django_get(server, BAD) == 429


def test_two_forwarded_lines_are_one_client_on_the_fast_path_and_in_django(
    server, alice, interview
):
    # The client sends its own X-Forwarded-For (a new value every time); the proxy
    # adds a second line with the address it saw. Every path must count the
    # proxy's hop: reading only the first line would let the client pick a fresh
    # address per request and never be limited.
    spoofed = [
        post_chunk(server, interview, BAD, start=1.0, forwarded=(f"6.6.6.{i}", "203.0.113.9"))
        for i in range(3)
    ]

    assert spoofed == [401, 401, 401]
    assert django_get(server, BAD, forwarded=("203.0.113.9",)) == 429
    assert post_chunk(server, interview, BAD, start=1.0, forwarded=("203.0.113.9",)) == 429
    # Another client behind the same proxy is another address.
    assert post_chunk(server, interview, BAD, start=1.0, forwarded=("203.0.113.10",)) == 401


def test_django_counts_two_forwarded_lines_as_the_fast_path_does(server, alice, interview):
    spoofed = [django_get(server, BAD, forwarded=(f"6.6.6.{i}", "203.0.113.9")) for i in range(3)]

    assert spoofed == [401, 401, 401]
    assert post_chunk(server, interview, BAD, start=1.0, forwarded=("203.0.113.9",)) == 429
