"""Withdrawn credentials reach sockets already open (issue 17, item 5): a revoked
API token, a user deactivated in the admin or by Clerk, a change made behind the
services' back. Through the real ASGI application and channel layer."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.models import ApiToken, User
from accounts.services import api_token_create, api_token_revoke
from accounts.tests.conftest import clerk_event
from accounts.websocket import open_sockets
from interview_companion.asgi import application
from tests.factories import UserFactory, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture
def announcements_only(settings):
    # No re-check: only the announcement after commit can close the sockets.
    settings.WEBSOCKET_AUTH_RECHECK_SECONDS = 0


@pytest.fixture
def root_client(client, db):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


async def open_feed(interview, headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/interviews/{interview.pk}/", headers=headers
    )
    connected, _ = await communicator.connect()
    assert connected
    assert json.loads(await communicator.receive_from())["type"] == "interview"
    return communicator


async def with_token(user) -> tuple[ApiToken, list[tuple[bytes, bytes]]]:
    row, token = await sync_to_async(api_token_create)(user=user)
    return row, [(b"authorization", f"Bearer {token}".encode())]


async def with_session(user) -> list[tuple[bytes, bytes]]:
    return [ORIGIN, (b"cookie", await sync_to_async(session_cookie_for)(user))]


async def close_code(communicator, within: float = 3.0) -> int:
    """The close code the server sends within `within` seconds (skipping events)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        assert remaining > 0, "the socket was not closed in time"
        output = await communicator.receive_output(timeout=remaining)
        if output["type"] == "websocket.close":
            await communicator.disconnect()  # what Daphne reports once the close is done
            return output["code"]


async def still_open(communicator) -> bool:
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    while True:
        output = await communicator.receive_output(timeout=2)
        if output["type"] == "websocket.close":
            return False
        if json.loads(output["text"])["type"] == "pong":
            return True


async def test_revoking_a_token_closes_its_sockets_and_no_others(
    announcements_only, alice, live_interview
):
    row, revoked_headers = await with_token(alice)
    _other, other_headers = await with_token(alice)
    revoked = await open_feed(live_interview, revoked_headers)
    also_revoked = await open_feed(live_interview, revoked_headers)
    other = await open_feed(live_interview, other_headers)
    browser = await open_feed(live_interview, await with_session(alice))

    await sync_to_async(api_token_revoke)(token=row)

    assert await close_code(revoked) == 4401
    assert await close_code(also_revoked) == 4401
    assert await still_open(other)
    assert await still_open(browser)
    await other.disconnect()
    await browser.disconnect()
    assert open_sockets() == 0


async def test_the_admins_revoke_action_closes_the_tokens_sockets(
    announcements_only, root_client, alice, live_interview
):
    row, headers = await with_token(alice)
    socket = await open_feed(live_interview, headers)

    response = await sync_to_async(root_client.post)(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}
    )

    assert response.status_code == 302
    assert await close_code(socket) == 4401


async def test_deactivating_a_user_in_the_admin_closes_every_socket_of_theirs(
    announcements_only, root_client, alice, bob, live_interview
):
    _row, headers = await with_token(alice)
    by_token = await open_feed(live_interview, headers)
    by_session = await open_feed(live_interview, await with_session(alice))
    bobs = await open_feed(live_interview, await with_session(bob))

    # The change form with "active" left unticked.
    response = await sync_to_async(root_client.post)(
        f"/admin/accounts/user/{alice.pk}/change/", {"time_zone": "UTC"}
    )

    assert response.status_code == 302, response.content
    assert not (await User.objects.aget(pk=alice.pk)).is_active
    assert await close_code(by_token) == 4401
    assert await close_code(by_session) == 4401
    assert await still_open(bobs)
    await bobs.disconnect()


async def test_deleting_a_token_in_the_admin_closes_its_sockets(
    announcements_only, root_client, alice, live_interview
):
    row, headers = await with_token(alice)
    socket = await open_feed(live_interview, headers)

    response = await sync_to_async(root_client.post)(
        f"/admin/accounts/apitoken/{row.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert await close_code(socket) == 4401


async def test_a_user_deleted_in_clerk_loses_their_open_sockets(
    announcements_only, deliver, alice, live_interview
):
    # alice has interviews, so Clerk's deletion deactivates her account.
    _row, headers = await with_token(alice)
    by_token = await open_feed(live_interview, headers)
    by_session = await open_feed(live_interview, await with_session(alice))

    response = await sync_to_async(deliver)(
        clerk_event(
            "user.deleted",
            {"deleted": True, "id": alice.clerk_id, "object": "user"},
            timestamp=1754012591835,
        )
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "deactivated"
    assert await close_code(by_token) == 4401
    assert await close_code(by_session) == 4401


async def test_a_change_behind_the_services_back_is_caught_by_the_recheck(
    settings, alice, bob, live_interview
):
    settings.WEBSOCKET_AUTH_RECHECK_SECONDS = 0.2
    row, headers = await with_token(bob)
    bobs_token = await open_feed(live_interview, headers)
    alices = await open_feed(live_interview, await with_session(alice))

    # No service, no announcement: what a shell or an SQL UPDATE does.
    await User.objects.filter(pk=alice.pk).aupdate(is_active=False)
    await ApiToken.objects.filter(pk=row.pk).adelete()

    assert await close_code(alices) == 4401
    assert await close_code(bobs_token) == 4401
    assert open_sockets() == 0
