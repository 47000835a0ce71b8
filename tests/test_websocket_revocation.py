"""Revocation across processes (issue 17, item 5), on real Daphne processes: a token
revoked in one process closes the sockets opened with it on every server through
Redis, and a deactivation nobody announced is found by each server's re-check.
A capture socket closed this way also ends its Deepgram stream."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets
from django.db import connections
from websockets.exceptions import ConnectionClosed

from accounts.models import User
from accounts.services import api_token_create, api_token_revoke
from interviews.services import interview_transition
from interviews.tests.deepgram_standin import DeepgramStandIn
from tests.factories import InterviewFactory
from tests.servers import RedisServer, Server, subprocess_database_url
from tests.socket_probe import PROBE_APP

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KEY = "dg-revocation-test-key"


@pytest.fixture
def live(alice):
    interview = InterviewFactory(interviewer=alice)
    interview_transition(interview=interview, to="live")
    return interview


@pytest.fixture
def redis(settings):
    server = RedisServer().start()
    # This process (where the revocation is committed) speaks to the servers' Redis.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url]},
        }
    }
    yield server
    server.stop()


async def in_thread(write) -> None:
    """A write from another thread, its database connection closed after it (the
    test database cannot be dropped while a connection is left open)."""

    def run() -> None:
        try:
            write()
        finally:
            connections.close_all()

    await asyncio.to_thread(run)


async def open_socket(url: str, token: str):
    ws = await websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"})
    await asyncio.wait_for(ws.recv(), 10)  # the snapshot or the first status
    return ws


async def closed_within(ws, seconds: float) -> int | None:
    """The close code if the server closes `ws` within `seconds`, else None."""
    try:
        async with asyncio.timeout(seconds):
            while True:
                await ws.recv()
    except ConnectionClosed:
        return ws.close_code
    except TimeoutError:
        return None


def test_a_token_revoked_anywhere_closes_its_sockets_on_every_server(live, alice, redis):
    revoked_row, revoked = api_token_create(user=alice, name="revoked")
    _row, kept = api_token_create(user=alice, name="kept")
    env = {
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": redis.url,
        "ANALYSIS_IN_PROCESS": "false",
        "WEBSOCKET_AUTH_RECHECK_SECONDS": "0",  # only the announcement can close them
        "DEEPGRAM_API_KEY": KEY,
        "STT_KEEPALIVE_SECONDS": "0.5",
    }
    with DeepgramStandIn(api_key=KEY, idle_timeout=60) as deepgram:
        env["DEEPGRAM_URL"] = deepgram.url
        servers = [Server(env, app=PROBE_APP).start() for _ in range(2)]
        try:
            feeds = [f"ws://127.0.0.1:{s.port}/ws/interviews/{live.pk}/" for s in servers]
            capture = f"ws://127.0.0.1:{servers[0].port}/ws/interviews/{live.pk}/audio/"

            async def scenario() -> tuple[list, list, float]:
                doomed = [await open_socket(url, revoked) for url in feeds]
                doomed.append(await open_socket(capture, revoked))
                survivors = [await open_socket(url, kept) for url in feeds]
                while not (deepgram.connections and deepgram.connections[-1].keepalives):
                    await asyncio.sleep(0.05)
                await asyncio.sleep(0.5)  # every server has subscribed by now
                await in_thread(lambda: api_token_revoke(token=revoked_row))
                revoked_at = time.monotonic()
                codes = [await closed_within(ws, 3) for ws in doomed]
                still = [await closed_within(ws, 0.5) for ws in survivors]
                for ws in survivors:
                    await ws.close()
                return codes, still, revoked_at

            codes, still, revoked_at = asyncio.run(scenario())
            assert codes == [4401, 4401, 4401]
            assert still == [None, None]
            while not deepgram.connections[-1].closed and time.monotonic() - revoked_at < 5:
                time.sleep(0.05)
            assert deepgram.connections[-1].closed == "CloseStream"
        finally:
            for server in servers:
                server.stop()


def test_each_server_rechecks_what_nobody_announced(live, alice, bob):
    _row, token = api_token_create(user=alice)
    _row, bobs = api_token_create(user=bob)
    env = {
        "DATABASE_URL": subprocess_database_url(),
        "ANALYSIS_IN_PROCESS": "false",
        "WEBSOCKET_AUTH_RECHECK_SECONDS": "1",
    }
    server = Server(env).start()
    try:
        url = f"ws://127.0.0.1:{server.port}/ws/interviews/{live.pk}/"

        async def scenario() -> tuple[int | None, int | None]:
            alices = await open_socket(url, token)
            others = await open_socket(url, bobs)
            # What a shell or an SQL UPDATE does: no service, no announcement.
            await in_thread(lambda: User.objects.filter(pk=alice.pk).update(is_active=False))
            code = await closed_within(alices, 3)
            other = await closed_within(others, 0.5)
            await others.close()
            return code, other

        assert asyncio.run(scenario()) == (4401, None)
    finally:
        server.stop()
