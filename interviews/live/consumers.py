"""The live feed of one interview over a websocket.

On connect: an `interview` snapshot, every logged event after `after_seq` in order,
then live events, with no gap and no duplicate: the ordering protocol is
`feed.FeedSequence`; this consumer authenticates, wires it to the socket and the
event log, and answers pings. Live events reach it through this process's fanout (`fanout.py`), not through a
channel-layer queue of its own, and under Daphne are written straight to the socket
(`wire.py`); the snapshot, catch-up and replies go through ASGI.

Close codes: 4401 not signed in (or signed out since: accounts/websocket.py), 4404
no such interview, 4400 a bad `after_seq`, 4009 a message over
`WEBSOCKET_MAX_MESSAGE_BYTES`. A server may send only 1000 and 3000-4999 through
autobahn (it raises on 1009 "message too big", the application crashed and Daphne
sent 1011), so the protocol-level codes get application twins in the 4000s.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from interviews.live.fanout import fanout
from interviews.live.feed import FeedSequence
from interviews.live.payloads import interview_data
from interviews.live.wire import SCOPE_KEY, DirectSocket, LiveEvent
from interviews.selectors import InterviewNotFound, events_after, interview_for_read

# 1009 (message too big) as an application code a server may send.
CLOSE_TOO_BIG = 4009


class InterviewFeedConsumer(AsyncWebsocketConsumer):
    interview_id: int
    feed: FeedSequence | None = None
    joined: bool = False
    direct: DirectSocket | None = None

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # `disconnect()` runs only when the server reports the close; an
            # exception in a handler, or Daphne cancelling an application that was
            # slow to finish, ends this coroutine without it, and the fanout would
            # keep this consumer (and deliver to it) for the life of the process.
            await self._leave()

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        try:
            interview = await database_sync_to_async(interview_for_read)(
                user=user, interview_id=self.interview_id
            )
        except InterviewNotFound:
            await self.close(code=4404)
            return
        try:
            query = parse_qs(self.scope.get("query_string", b"").decode())
            after_seq = max(0, int(query.get("after_seq", ["0"])[0]))
        except ValueError:
            await self.send_error("after_seq must be a whole number")
            await self.close(code=4400)
            return
        self.direct = self.scope.get(SCOPE_KEY)
        self.feed = FeedSequence(
            last_seq=after_seq,
            read_log=self._read_log,
            send_text=self._send_text,
            send_event=self._send_event,
        )
        snapshot = json.dumps(
            {
                "type": "interview",
                # The snapshot does not advance the sequence.
                "seq": after_seq,
                "id": interview.pk,
                "snapshot": True,
                "last_seq": interview.last_seq,
                "data": interview_data(interview),
            },
            ensure_ascii=False,
        )
        await self.feed.start(self._join, snapshot)

    @property
    def last_seq(self) -> int:
        return self.feed.last_seq if self.feed is not None else 0

    async def _join(self) -> None:
        # Marked first: a socket that dies while joining is still left.
        self.joined = True
        await fanout().join(self.interview_id, self)

    async def _read_log(self, after_seq: int, limit: int) -> list[tuple[int, str]]:
        return await database_sync_to_async(events_after)(self.interview_id, after_seq, limit)

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def _send_event(self, event: LiveEvent) -> None:
        if self.direct is not None:
            self.direct.write(event.frame)
        else:
            await self.send(text_data=event.text)

    async def deliver(self, events: list[LiveEvent]) -> None:
        """Called by the fanout for every live event batch of this interview."""
        await self.feed.deliver(events)

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self.joined:
            self.joined = False
            await fanout().leave(self.interview_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        size = len(text_data or "") + len(bytes_data or b"")
        if size > settings.WEBSOCKET_MAX_MESSAGE_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
            await self._leave()  # no more live events for a socket that is closing
            return
        try:
            message = json.loads(text_data) if text_data is not None else None
        except (ValueError, RecursionError):  # RecursionError: nested past the parser's limit
            await self.send_error("Messages must be JSON.")
            return
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "last_seq": self.last_seq}))
            return
        await self.send_error('Unknown message type; this feed accepts only {"type": "ping"}.')

    async def send_error(self, text: str) -> None:
        await self.send(text_data=json.dumps({"type": "error", "message": text}))
