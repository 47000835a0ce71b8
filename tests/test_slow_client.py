"""A websocket client that stops reading must not slow the others, and the memory
the server holds for it is bounded: Daphne's keepalive ping goes unanswered and the
connection is dropped (production runs Daphne with the same ping flags)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time

import httpx
import pytest
import websockets

from accounts.services import api_token_create
from interviews.services import interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import InterviewFactory
from tests.servers import Server, subprocess_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def stalled_websocket(port: int, path: str, token: str) -> socket.socket:
    """Open a websocket by hand and then never read from it again."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    assert b"101" in sock.recv(1024).split(b"\r\n")[0]
    return sock


def test_a_client_that_stops_reading_is_dropped_and_does_not_slow_others(alice):
    interview = InterviewFactory(interviewer=alice)
    interview_transition(interview=interview, to="live")
    _row, token = api_token_create(user=alice)
    env = {"DATABASE_URL": subprocess_database_url(), "ANALYSIS_IN_PROCESS": "false"}
    server = Server(env, args=["--ping-interval", "1", "--ping-timeout", "2"]).start()
    try:
        path = f"/ws/interviews/{interview.pk}/"
        stalled = stalled_websocket(server.port, path, token)
        pid = server.proc.pid
        baseline = rss_kib(pid)
        long_text = "palabra " * 2500  # ~20 KB per event

        async def reader_and_writer() -> tuple[int, float]:
            received = 0
            worst = 0.0
            async with websockets.connect(
                f"ws://127.0.0.1:{server.port}{path}",
                additional_headers={"Authorization": f"Bearer {token}"},
            ) as ws:
                await ws.recv()  # snapshot
                await ws.recv()  # the "live" transition
                async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
                    for i in range(60):
                        sent = time.monotonic()
                        await http.post(
                            f"{server.url}/api/interviews/{interview.pk}/transcripts/",
                            json=results(long_text, start=i * 10.0),
                            timeout=10,
                        )
                        json.loads(await asyncio.wait_for(ws.recv(), 5))
                        worst = max(worst, time.monotonic() - sent)
                        received += 1
                        await asyncio.sleep(0.05)
            return received, worst

        received, worst = asyncio.run(reader_and_writer())
        assert received == 60
        assert worst < 2.0  # the stalled client never held the others up

        # The stalled socket is dropped by the server after its ping goes unanswered.
        stalled.settimeout(0.5)
        dropped = False
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not dropped:
            try:
                stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                while True:
                    chunk = stalled.recv(1 << 20)
                    if not chunk:
                        dropped = True
                        break
            except TimeoutError:
                time.sleep(0.5)
            except ConnectionResetError:
                dropped = True
        assert dropped
        # What the server buffered for it is released with the connection.
        time.sleep(1)
        assert rss_kib(pid) - baseline < 64 * 1024
    finally:
        server.stop()
