"""The live feed of one interview over a websocket.

On connect: an `interview` snapshot, every logged event after `after_seq` in order,
then live events. The consumer tracks the last seq it sent: a live event it has
already sent (it raced with the catch-up) is dropped, and a gap (a broadcast lost
on the way) is filled from the log, so the client sees no gap and no duplicate.
Live events reach it through this process's fanout (`fanout.py`), not through a
channel-layer queue of its own, and under Daphne are written straight to the socket
(`wire.py`); the snapshot, catch-up and replies go through ASGI.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from interviews.live.fanout import fanout
from interviews.live.payloads import interview_data
from interviews.live.wire import SCOPE_KEY, DirectSocket, LiveEvent
from interviews.selectors import events_after, interview_for_feed

CATCH_UP_BATCH = 500


class InterviewFeedConsumer(AsyncWebsocketConsumer):
    interview_id: int
    last_seq: int = 0
    joined: bool = False
    direct: DirectSocket | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        interview = await database_sync_to_async(interview_for_feed)(self.interview_id)
        if interview is None:
            await self.close(code=4404)
            return
        try:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            self.last_seq = max(0, int(query.get("after_seq", ["0"])[0]))
        except ValueError:
            await self.send_error("after_seq must be a whole number")
            await self.close(code=4400)
            return
        self.direct = self.scope.get(SCOPE_KEY)
        # Live events that arrive while the log is replayed wait here, in order.
        self.pending: list[LiveEvent] = []
        self.replaying = asyncio.Lock()
        # Subscribe before reading the log: whatever commits after the read arrives
        # live, whatever committed before is in the read.
        async with self.replaying:
            await fanout().join(self.interview_id, self)
            self.joined = True
            await self.send(
                text_data=json.dumps(
                    {
                        "type": "interview",
                        # The snapshot does not advance the sequence.
                        "seq": self.last_seq,
                        "id": interview.pk,
                        "snapshot": True,
                        "last_seq": interview.last_seq,
                        "data": interview_data(interview),
                    },
                    ensure_ascii=False,
                )
            )
            await self.catch_up()
            await self._drain_pending()

    async def catch_up(self, until: int | None = None) -> None:
        while True:
            batch = await database_sync_to_async(events_after)(
                self.interview_id, self.last_seq, CATCH_UP_BATCH
            )
            for seq, text in batch:
                if until is not None and seq > until:
                    return
                await self.send(text_data=text)
                self.last_seq = seq
            if len(batch) < CATCH_UP_BATCH:
                return

    async def deliver(self, events: list[LiveEvent]) -> None:
        """Called by the fanout for every live event batch of this interview."""
        if self.replaying.locked():
            self.pending.extend(events)
            return
        for index, event in enumerate(events):
            if event.seq <= self.last_seq:
                continue  # already sent by the catch-up
            if event.seq > self.last_seq + 1:
                # A broadcast went missing: fill the gap from the log, off the
                # fanout's loop, and keep what follows in order behind it.
                self.pending.extend(events[index:])
                asyncio.get_running_loop().create_task(self._fill_gap())
                return
            await self.send_live(event)

    async def send_live(self, event: LiveEvent) -> None:
        if self.direct is not None:
            self.direct.write(event.frame)
        else:
            await self.send(text_data=event.text)
        self.last_seq = event.seq

    async def _fill_gap(self) -> None:
        async with self.replaying:
            await self.catch_up()
            await self._drain_pending()

    async def _drain_pending(self) -> None:
        pending, self.pending = self.pending, []
        for event in pending:
            if event.seq <= self.last_seq:
                continue
            if event.seq > self.last_seq + 1:
                await self.catch_up(until=event.seq - 1)
            await self.send_live(event)

    async def disconnect(self, code: int) -> None:
        if self.joined:
            self.joined = False
            await fanout().leave(self.interview_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data or "") + len(bytes_data or b"")
        if size > settings.WEBSOCKET_MAX_MESSAGE_BYTES:
            await self.close(code=1009)  # message too big
            return
        try:
            message = json.loads(text_data) if text_data is not None else None
        except ValueError:
            await self.send_error("Messages must be JSON.")
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "last_seq": self.last_seq}))
            return
        await self.send_error('Unknown message type; this feed accepts only {"type": "ping"}.')

    async def send_error(self, text: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "message": text}))
