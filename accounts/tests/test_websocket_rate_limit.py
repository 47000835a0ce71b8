"""Bad tokens on websockets count against the same limit as over HTTP; over it a
socket is closed with 4429, and a valid token still connects."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import api_token_create
from interview_companion.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

BAD = "ic_" + "B" * 40


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AUTH_RATE_LIMIT = 3


async def close_code(interview_id: int, token: str, *, client=("127.0.0.1", 50000)) -> int | None:
    """The code the socket is closed with (None: it stayed open)."""
    communicator = WebsocketCommunicator(
        application,
        f"/ws/interviews/{interview_id}/",
        headers=[(b"authorization", f"Bearer {token}".encode())],
    )
    communicator.scope["client"] = client
    connected, code = await communicator.connect()
    if not connected:
        return code
    first = await communicator.receive_output()
    if first["type"] == "websocket.close":
        return first["code"]
    await communicator.disconnect()
    return None


async def test_bad_websocket_tokens_are_counted_and_then_refused_with_4429(live_interview):
    codes = [await close_code(live_interview.pk, BAD) for _ in range(4)]

    assert codes == [4401, 4401, 4401, 4429]
    # Another address is not affected.
    assert await close_code(live_interview.pk, BAD, client=("198.51.100.7", 1)) == 4401


async def test_a_valid_token_connects_from_an_address_over_the_limit(alice, live_interview):
    _row, token = await sync_to_async(api_token_create)(user=alice, name="relay")
    for _ in range(4):
        await close_code(live_interview.pk, BAD)

    assert await close_code(live_interview.pk, token) is None


async def test_websocket_and_http_share_the_count(alice, client, live_interview):
    for _ in range(3):
        await sync_to_async(client.get)("/healthz", headers={"Authorization": f"Bearer {BAD}"})

    assert await close_code(live_interview.pk, BAD) == 4429
