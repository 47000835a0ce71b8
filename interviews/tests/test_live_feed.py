"""The websocket feed through the real ASGI application."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import api_token_create
from interview_companion.asgi import application
from interviews.live.ingest import transcript_ingest
from interviews.services import insight_update, interview_transition
from interviews.tests.deepgram_messages import results
from tests.factories import AIInsightFactory, InterviewFactory, session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def connect(interview_id: int, user=None, after_seq: int | None = None, headers=None):
    path = f"/ws/interviews/{interview_id}/"
    if after_seq is not None:
        path += f"?after_seq={after_seq}"
    if headers is None:
        headers = [ORIGIN]
        if user is not None:
            headers.append((b"cookie", await sync_to_async(session_cookie_for)(user)))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive_all(communicator, timeout=0.3) -> list[dict]:
    """Everything the server sends until it goes quiet (receive_nothing does not
    cancel the application the way a timed-out receive does)."""
    messages = []
    while not await communicator.receive_nothing(timeout=timeout):
        messages.append(json.loads(await communicator.receive_from()))
    return messages


def ingest(interview, *messages):
    return transcript_ingest(interview=interview, results=list(messages))


async def test_ingested_rows_reach_the_page_in_order(alice, live_interview):
    communicator = await connect(live_interview.pk, alice)
    snapshot = json.loads(await communicator.receive_from())
    assert snapshot["type"] == "interview" and snapshot["snapshot"] is True
    backlog = await receive_all(communicator)  # the "live" transition event

    await sync_to_async(ingest)(live_interview, results("Hola qué", is_final=False, start=0.0))
    await sync_to_async(ingest)(live_interview, results("Hola, ¿qué tal?", start=0.0))
    await sync_to_async(ingest)(live_interview, results("Muy bien, gracias.", start=2.0, speaker=1))

    messages = await receive_all(communicator)
    assert [m["type"] for m in messages] == ["transcript"] * 3
    assert [m["data"]["text"] for m in messages] == [
        "Hola qué",
        "Hola, ¿qué tal?",
        "Muy bien, gracias.",
    ]
    assert messages[0]["id"] == messages[1]["id"]  # the final replaced the interim row
    assert messages[0]["data"]["is_interim"] is True and messages[1]["data"]["is_interim"] is False
    seqs = [m["seq"] for m in backlog + messages]
    assert seqs == list(range(1, len(seqs) + 1))
    await communicator.disconnect()


async def test_reconnecting_with_the_last_seq_replays_every_missed_event_once(
    alice, live_interview
):
    first = await connect(live_interview.pk, alice)
    seen = await receive_all(first)
    await sync_to_async(ingest)(live_interview, results("uno", start=0.0))
    seen += await receive_all(first)
    last_seq = seen[-1]["seq"]
    await first.disconnect()

    # While disconnected: rows and an insight change.
    await sync_to_async(ingest)(
        live_interview, results("dos", start=1.0), results("tres", start=2.0)
    )
    insight = await sync_to_async(AIInsightFactory)(interview=live_interview, type="suggestion")
    await sync_to_async(insight_update)(insight=insight, used=True)

    second = await connect(live_interview.pk, alice, after_seq=last_seq)
    replay = await receive_all(second)
    assert replay[0]["type"] == "interview" and replay[0]["snapshot"]
    events = replay[1:]
    assert [m["seq"] for m in events] == list(range(last_seq + 1, last_seq + 1 + len(events)))
    assert [m["data"].get("text") for m in events if m["type"] == "transcript"] == ["dos", "tres"]
    assert [m["data"]["used"] for m in events if m["type"] == "insight"] == [True]

    # Live events keep flowing after the catch-up, without repeating it.
    await sync_to_async(ingest)(live_interview, results("cuatro", start=3.0))
    live = await receive_all(second)
    assert [m["seq"] for m in live] == [events[-1]["seq"] + 1]
    await second.disconnect()


def commit_without_broadcast(interview, text):
    """A change whose broadcast is lost on the way (a Redis blip): it is in the
    log, but no subscriber is told."""
    from django.db import connection, transaction

    from interviews.live.events import broadcast

    with transaction.atomic():
        outcome = ingest(interview, results(text, start=50.0))
        connection.run_on_commit = [
            hook
            for hook in connection.run_on_commit
            if getattr(hook[1], "func", None) is not broadcast
        ]
    return outcome


async def test_a_lost_broadcast_is_filled_from_the_log(alice, live_interview):
    communicator = await connect(live_interview.pk, alice)
    before = await receive_all(communicator)
    last = before[-1]["seq"]

    await sync_to_async(commit_without_broadcast)(live_interview, "perdido")
    assert await receive_all(communicator) == []  # nobody was told
    await sync_to_async(ingest)(live_interview, results("siguiente", start=60.0))

    messages = await receive_all(communicator)
    assert [(m["seq"], m["data"]["text"]) for m in messages] == [
        (last + 1, "perdido"),
        (last + 2, "siguiente"),
    ]
    await communicator.disconnect()


async def test_anonymous_sockets_are_closed_with_4401(live_interview):
    communicator = await connect(live_interview.pk, user=None)
    closed = await communicator.receive_output()
    assert closed["type"] == "websocket.close" and closed["code"] == 4401


async def test_a_deactivated_user_is_closed_with_4401(dave, live_interview):
    communicator = await connect(live_interview.pk, dave)
    closed = await communicator.receive_output()
    assert closed["code"] == 4401


async def test_an_unknown_interview_is_closed_with_4404(alice):
    communicator = await connect(999_999, alice)
    snapshot_or_close = await communicator.receive_output()
    assert snapshot_or_close["type"] == "websocket.close" and snapshot_or_close["code"] == 4404


async def test_any_interviewer_may_watch_a_live_interview(bob, live_interview):
    communicator = await connect(live_interview.pk, bob)
    snapshot = json.loads(await communicator.receive_from())
    assert snapshot["id"] == live_interview.pk
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused_at_the_handshake(alice, live_interview):
    cookie = await sync_to_async(session_cookie_for)(alice)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/interviews/{live_interview.pk}/",
        headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403


async def test_a_socket_without_origin_needs_an_api_token(alice, live_interview):
    cookie = await sync_to_async(session_cookie_for)(alice)
    no_token = await connect(live_interview.pk, headers=[(b"cookie", cookie)])
    assert (await no_token.receive_output())["code"] == 4401

    _row, token = await sync_to_async(api_token_create)(user=alice, name="relay")
    with_token = await connect(
        live_interview.pk, headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    snapshot = json.loads(await with_token.receive_from())
    assert snapshot["type"] == "interview"
    await with_token.disconnect()


async def test_bad_client_messages_get_an_error_and_the_feed_survives(alice, live_interview):
    communicator = await connect(live_interview.pk, alice)
    await receive_all(communicator)
    await communicator.send_to(text_data="not json")
    assert json.loads(await communicator.receive_from())["type"] == "error"
    await communicator.send_to(text_data='{"type": "launch"}')
    assert json.loads(await communicator.receive_from())["type"] == "error"
    await communicator.send_to(text_data='{"type": "ping"}')
    assert json.loads(await communicator.receive_from())["type"] == "pong"
    await sync_to_async(ingest)(live_interview, results("sigue", start=1.0))
    assert json.loads(await communicator.receive_from())["data"]["text"] == "sigue"
    await communicator.send_to(text_data="[" * 20_000 + "]" * 20_000)  # RecursionError
    assert json.loads(await communicator.receive_from())["type"] == "error"
    await communicator.send_to(text_data="x" * 70_000)
    # 4009, not 1009: autobahn refuses to send 1009 from a server (the consumer
    # crashed, Daphne sent 1011 and the consumer stayed subscribed).
    assert (await communicator.receive_output())["code"] == 4009


async def test_a_status_change_reaches_the_page(alice):
    interview = await sync_to_async(InterviewFactory)(interviewer=alice)
    communicator = await connect(interview.pk, alice)
    await receive_all(communicator)
    await sync_to_async(interview_transition)(interview=interview, to="live")
    message = json.loads(await communicator.receive_from())
    assert message["type"] == "interview" and message["data"]["status"] == "live"
    await communicator.disconnect()
