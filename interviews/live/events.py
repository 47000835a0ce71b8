"""The per-interview event log behind the live feed.

Every change a live page must see is appended here in the SAME transaction as the
change, with a gap-free `seq` handed out under the interview's row lock, and
broadcast only after commit. A client that missed anything (a dropped socket, a
Redis outage, a restart) reconnects with its last seq and replays from this table,
so the database, not the channel layer, is the source of truth.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from interviews.models import InterviewEvent

logger = logging.getLogger(__name__)

# A broadcast that cannot reach the channel layer in this time is dropped: the
# clients catch up from the log, and ingest must not wait on a sick Redis.
BROADCAST_TIMEOUT_SECONDS = 1.0


def group_name(interview_id: int) -> str:
    """The one channel-layer group of an interview's live feed."""
    return f"interview.{interview_id}"


@dataclass(frozen=True)
class Change:
    type: str  # an EventType value
    object_id: int
    data: dict


def event_message(seq: int, type_: str, object_id: int, data: dict) -> str:
    """The websocket text of one event, serialised once for every subscriber."""
    return json.dumps(
        {"type": type_, "seq": seq, "id": object_id, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def events_append(*, interview_id: int, changes: list[Change]) -> list[InterviewEvent]:
    """Append changes to the log and broadcast them after commit.

    Must run inside the transaction that made the changes. The UPDATE takes the
    interview's row lock (if the caller did not already), so two writers cannot
    take the same seq and a seq is visible only when its whole transaction is.
    """
    return events_append_many({interview_id: changes})


def events_append_many(changes: dict[int, list[Change]]) -> list[InterviewEvent]:
    """`events_append` for several interviews at once: one seq UPDATE and one INSERT
    for all of them, one broadcast per interview after commit.

    Callers writing to several interviews must already hold their row locks, taken
    in id order (the batch ingest does), or two batches could deadlock here.
    """
    changes = {interview_id: items for interview_id, items in changes.items() if items}
    if not changes:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("events_append must run inside the writing transaction")
    values = ", ".join(["(%s, %s)"] * len(changes))
    params = [
        value for interview_id, items in changes.items() for value in (interview_id, len(items))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            # VALUES columns are column1, column2 in PostgreSQL and SQLite alike.
            "UPDATE interviews SET last_seq = interviews.last_seq + v.column2"
            f" FROM (VALUES {values}) AS v WHERE interviews.id = v.column1"
            " RETURNING interviews.id, interviews.last_seq",
            params,
        )
        last_seqs = dict(cursor.fetchall())
    if last_seqs.keys() != changes.keys():
        raise RuntimeError(f"events_append: no interview {set(changes) - last_seqs.keys()}")
    events = InterviewEvent.objects.bulk_create(
        InterviewEvent(
            interview_id=interview_id,
            seq=last_seqs[interview_id] - len(items) + 1 + i,
            type=change.type,
            object_id=change.object_id,
            data=change.data,
        )
        for interview_id, items in changes.items()
        for i, change in enumerate(items)
    )
    by_interview: dict[int, list[tuple[int, str]]] = {}
    for event in events:
        by_interview.setdefault(event.interview_id, []).append(
            (event.seq, event_message(event.seq, event.type, event.object_id, event.data))
        )
    for interview_id, messages in by_interview.items():
        transaction.on_commit(partial(broadcast, interview_id, messages), robust=True)
    return events


async def broadcast_async(interview_id: int, messages: list[tuple[int, str]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        await asyncio.wait_for(
            layer.group_send(group_name(interview_id), {"type": "feed.events", "events": messages}),
            BROADCAST_TIMEOUT_SECONDS,
        )
    except Exception:  # the log has it; clients catch up on reconnect
        logger.warning("Broadcast to interview %s failed; clients will catch up", interview_id)


# The server's event loop, bound by the ASGI application. A request thread hands
# the broadcast to it and returns at once: the acknowledgement of a chunk must not
# wait for the loop that is busy delivering to a thousand viewers.
_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _server_loop
    _server_loop = loop


def broadcast(interview_id: int, messages: list[tuple[int, str]]) -> None:
    loop = _server_loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(broadcast_async(interview_id, messages))
        else:
            asyncio.run_coroutine_threadsafe(broadcast_async(interview_id, messages), loop)
        return
    # No server loop here (a management command, a test): deliver before returning.
    async_to_sync(broadcast_async)(interview_id, messages)
