"""Scorecard progress reaches a live page over the interview's websocket."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from interview_companion.asgi import application
from interviews.models import InterviewEvent
from interviews.scorecards.services import scorecard_generate
from interviews.tests.scorecard_support import ScriptedProvider, completed_interview, failing
from tests.factories import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def scorecard_messages_while(interview, user, generate) -> list[dict]:
    cookie = await sync_to_async(session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/interviews/{interview.pk}/",
        headers=[(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert connected
    messages = []
    while not await communicator.receive_nothing(timeout=0.3):
        await communicator.receive_from()  # the snapshot and the backlog
    await sync_to_async(generate)()
    while not await communicator.receive_nothing(timeout=0.5):
        messages.append(json.loads(await communicator.receive_from()))
    await communicator.disconnect()
    return [m for m in messages if m["type"] == "scorecard"]


async def test_a_live_page_sees_generating_then_ready(alice, interview):
    await sync_to_async(completed_interview)(interview)

    messages = await scorecard_messages_while(
        interview,
        alice,
        lambda: scorecard_generate(interview=interview, providers=[ScriptedProvider()]),
    )

    assert [m["data"]["state"] for m in messages] == ["generating", "ready"]
    # What a socket receives: the scores, the verdict held back until the decision.
    assert messages[1]["data"]["technical"] is not None
    assert (messages[1]["data"]["recommendation"], messages[1]["data"]["ai_hidden"]) == ("", True)
    assert messages[0]["seq"] < messages[1]["seq"]
    logged = await sync_to_async(list)(
        InterviewEvent.objects.filter(interview=interview, type="scorecard").values_list(
            "seq", flat=True
        )
    )
    assert logged == [m["seq"] for m in messages]


async def test_a_live_page_sees_generating_then_failed_with_the_reason(alice, interview):
    await sync_to_async(completed_interview)(interview)

    messages = await scorecard_messages_while(
        interview, alice, lambda: scorecard_generate(interview=interview, providers=[failing()])
    )

    assert [m["data"]["state"] for m in messages] == ["generating", "failed"]
    assert "connection refused" in messages[1]["data"]["failure_reason"]
