"""Abusive websocket clients against a real Daphne (issue 17): oversized and deeply
nested frames, an unknown path, a browser that vanishes while capturing. The bugs
were in Daphne's and autobahn's close path, which Channels' test communicator
does not run, so these start the server in its own process and ask it
(`tests/socket_probe.py`) what it still holds afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import time

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.services import api_token_create
from interviews.services import interview_transition
from interviews.tests.deepgram_standin import DeepgramStandIn
from tests.factories import InterviewFactory
from tests.servers import Server, subprocess_database_url
from tests.socket_probe import PROBE_APP, PROBE_PATH

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "dg-abuse-test-key"
# Nested past the JSON parser's recursion limit, yet well under the 64 KiB frame limit.
NESTED = "[" * 20_000 + "]" * 20_000


@pytest.fixture
def live(alice):
    interview = InterviewFactory(interviewer=alice)
    interview_transition(interview=interview, to="live")
    _row, token = api_token_create(user=alice, name="abuse")
    return interview, token


@pytest.fixture
def deepgram():
    with DeepgramStandIn(api_key=KEY, idle_timeout=60) as standin:
        yield standin


def server_env(**extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": subprocess_database_url(),
        "ANALYSIS_IN_PROCESS": "false",
        **extra,
    }


def probe(server: Server) -> dict[str, int]:
    return httpx.get(f"{server.url}{PROBE_PATH}", timeout=5).json()


def probe_until(server: Server, done, timeout: float = 10) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        counts = probe(server)
        if done(counts) or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


def valid_close_code(code: int) -> bool:
    # What a server may send (RFC 6455 7.4): 1000-1003, 1007-1011, 3000-4999.
    # 1011 is what Daphne sends when the application crashed.
    return code == 1000 or 3000 <= code <= 4999


async def abuse_once(url: str, token: str, frame: str | bytes) -> tuple[int, list[dict]]:
    """Send one bad frame; read until the server closes or answers with an error
    (then close normally). The close code and what was read after the frame."""
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=2**24
    ) as ws:
        await ws.recv()  # the snapshot: the consumer has joined the feed
        await ws.send(frame)
        answers = []
        try:
            while True:
                answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                if answers[-1]["type"] == "error":
                    break
        except ConnectionClosed:
            pass
    return ws.close_code, answers


def test_oversized_and_nested_frames_close_cleanly_and_leave_no_subscriber(live):
    interview, token = live
    server = Server(server_env(), app=PROBE_APP).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/"

        async def abuse() -> list[tuple[int, list[dict]]]:
            outcomes = []
            for i in range(50):
                frame = "x" * 70_000 if i % 2 == 0 else NESTED
                outcomes.append(await abuse_once(url, token, frame))
            return outcomes

        outcomes = asyncio.run(abuse())
        codes = [code for code, _answers in outcomes]
        assert all(valid_close_code(code) for code in codes), sorted(set(codes))
        # Too big: closed by the server; too deep: an error, and the client leaves.
        assert set(codes[0::2]) == {4009}, codes
        assert all(answers[-1]["type"] == "error" for _code, answers in outcomes[1::2])
        counts = probe_until(
            server, lambda c: c["feed_listeners"] == 0 and c["feed_consumers"] == 0
        )
        assert counts["feed_listeners"] == 0, counts
        assert counts["feed_subscriptions"] == 0, counts
        assert counts["feed_consumers"] == 0, counts
        assert counts["guarded_sockets"] == 0, counts
        output = server.output()
        assert "Traceback" not in output, output[-3000:]
    finally:
        server.stop()


def test_a_nested_frame_gets_an_error_and_the_feed_goes_on(live):
    interview, token = live
    server = Server(server_env()).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/"

        async def nested_then_ping() -> list[dict]:
            async with websockets.connect(
                url, additional_headers={"Authorization": f"Bearer {token}"}
            ) as ws:
                await ws.send(NESTED)
                await ws.send(json.dumps({"type": "ping"}))
                answers = []
                while not answers or answers[-1]["type"] != "pong":
                    answers.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                # The snapshot and the logged "live" event, then the two answers.
                return [a for a in answers if a["type"] in ("error", "pong")]

        error, pong = asyncio.run(nested_then_ping())
        assert error["type"] == "error"
        assert pong["type"] == "pong"
    finally:
        server.stop()


def test_an_unknown_websocket_path_is_refused_without_an_error(live):
    _interview, token = live
    server = Server(server_env(LOG_LEVEL="INFO")).start()
    try:

        async def knock(path: str) -> int:
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{server.port}{path}",
                    additional_headers={"Authorization": f"Bearer {token}"},
                ):
                    return 101
            except InvalidStatus as exc:
                return exc.response.status_code

        for path in ("/ws/nothing/", "/", "/ws/interviews/abc/", "/ws/interviews/1/x/"):
            assert asyncio.run(knock(path)) == 403, path
        # An id past PostgreSQL's bigint is "no such interview", not a database error.
        assert asyncio.run(knock("/ws/interviews/99999999999999999999999/")) in (101, 403)
        output = server.output()
        assert "Traceback" not in output and "ERROR" not in output, output[-3000:]
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        server.stop()


# --- Capture: the upstream goes when the browser does ------------------------------


def audio_env(deepgram: DeepgramStandIn) -> dict[str, str]:
    return server_env(
        DEEPGRAM_API_KEY=KEY,
        DEEPGRAM_URL=deepgram.url,
        STT_KEEPALIVE_SECONDS="0.5",
        STT_CLOSE_TIMEOUT_SECONDS="3",
    )


def wait_for(predicate, timeout: float) -> float:
    """Seconds until predicate() held; AssertionError after timeout."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
    return time.monotonic() - started


async def capture_until_live(url: str, token: str):
    ws = await websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"})
    while True:
        status = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if status.get("state") == "live":
            return ws


def test_an_oversized_audio_frame_closes_the_deepgram_stream(live, deepgram):
    interview, token = live
    server = Server(audio_env(deepgram), app=PROBE_APP).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/audio/"

        async def oversized() -> tuple[int, float]:
            ws = await capture_until_live(url, token)
            await ws.send(b"SPK0:hola")
            await ws.send(b"\0" * 70_000)
            closed_at = None
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed:
                closed_at = time.monotonic()
            return ws.close_code, closed_at

        code, closed_at = asyncio.run(oversized())
        assert valid_close_code(code) and code != 1011, code
        wait_for(lambda: deepgram.connections and deepgram.connections[-1].closed, 5)
        assert time.monotonic() - closed_at < 5
        upstream = deepgram.connections[-1]
        assert upstream.closed == "CloseStream"
        assert upstream.controls[-1] == "CloseStream"
        counts = probe_until(
            server, lambda c: c["relays_running"] == 0 and c["audio_consumers"] == 0
        )
        assert counts["relays_running"] == 0 and counts["audio_consumers"] == 0, counts
        assert "Traceback" not in server.output(), server.output()[-3000:]
    finally:
        server.stop()


def test_a_browser_that_vanishes_closes_the_deepgram_stream(live, deepgram):
    """No close frame at all: the TCP connection is reset, as when a laptop's
    network goes away."""
    interview, token = live
    server = Server(audio_env(deepgram), app=PROBE_APP).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/audio/"

        async def vanish() -> None:
            ws = await capture_until_live(url, token)
            await ws.send(b"SPK0:hola que tal")
            raw = ws.transport.get_extra_info("socket")
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            ws.transport.abort()  # RST, no close frame

        asyncio.run(vanish())
        seconds = wait_for(lambda: deepgram.connections and deepgram.connections[-1].closed, 5)
        assert deepgram.connections[-1].closed == "CloseStream", seconds
        counts = probe_until(
            server, lambda c: c["relays_running"] == 0 and c["audio_consumers"] == 0
        )
        assert counts["relays_running"] == 0 and counts["audio_consumers"] == 0, counts
    finally:
        server.stop()


async def await_condition(predicate, timeout: float) -> float:
    """Seconds until predicate() held, polling without blocking the loop."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


def test_a_browser_that_goes_silent_closes_the_deepgram_stream(live, deepgram):
    """No reset and no close frame either: the TCP connection stays up and nothing
    more arrives, as when a laptop's lid closes or its Wi-Fi goes. Before: the
    upstream got KeepAlives until Daphne's ping gave up (20 s + 30 s here, as in
    Production)."""
    interview, token = live
    server = Server(
        {**audio_env(deepgram), "LOG_LEVEL": "INFO", "AUDIO_BROWSER_SILENCE_SECONDS": "4"},
        app=PROBE_APP,
        args=["--ping-interval", "20", "--ping-timeout", "30"],
    ).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{interview.pk}/audio/"

        async def go_silent() -> tuple[float, dict[str, int], int]:
            ws = await websockets.connect(
                url, additional_headers={"Authorization": f"Bearer {token}"}, ping_interval=None
            )
            while json.loads(await asyncio.wait_for(ws.recv(), 10)).get("state") != "live":
                pass
            for frame in (b"SPK1:Buenos dias.", b"SPK0:Tengo cinco", b"SPK0:anos de"):
                await asyncio.sleep(0.25)
                await ws.send(frame)
            # From here this client neither writes nor reads: the network is gone.
            ws.transport.pause_reading()
            gone = time.monotonic()
            await await_condition(
                lambda: deepgram.connections and deepgram.connections[-1].closed, 6
            )
            seconds = time.monotonic() - gone
            # Cleanup ran: no relay, no consumer left (the close handshake timed out).
            counts = await asyncio.to_thread(
                probe_until,
                server,
                lambda c: c["relays_running"] == 0 and c["audio_consumers"] == 0,
            )
            ws.transport.resume_reading()  # what the server said before it dropped us
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            return seconds, counts, ws.close_code

        seconds, counts, code = asyncio.run(go_silent())
        upstream = deepgram.connections[-1]
        assert upstream.closed == "CloseStream" and upstream.controls[-1] == "CloseStream"
        assert seconds < 5, seconds
        assert len(deepgram.connections) == 1
        assert counts["relays_running"] == 0 and counts["audio_consumers"] == 0, counts
        assert counts["guarded_sockets"] == 0, counts
        assert code == 4408
        output = server.output()
        assert "nothing from the browser" in output and "Traceback" not in output, output[-3000:]
    finally:
        server.stop()
