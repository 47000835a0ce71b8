"""The live feed's ordering protocol, with no socket and no database.

A page must see every event of its interview exactly once, in `seq` order, even
though events reach a process two ways: live (the fanout, after commit) and from
the event log (on connect, and when a broadcast went missing). `FeedSequence`
decides, for a client whose last sent event is `last_seq`:

* on connect, subscribe first and then read the log, so whatever commits after the
  read arrives live and whatever committed before is in the read;
* a live event at or below `last_seq` was already sent by a catch-up: drop it;
* a live event past `last_seq + 1` means a broadcast was lost: read the gap from the
  log, keep what follows in order behind it;
* live events that arrive while the log is being read wait, then go in order.

The consumer (`consumers.py`) only wires it: where the log is read, how a text and
a live event are sent. Owned here; imports nothing of the project but `wire`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from interviews.live.wire import LiveEvent

CATCH_UP_BATCH = 500

ReadLog = Callable[[int, int], Awaitable[list[tuple[int, str]]]]
SendText = Callable[[str], Awaitable[None]]
SendEvent = Callable[[LiveEvent], Awaitable[None]]


class FeedSequence:
    def __init__(
        self,
        *,
        last_seq: int,
        read_log: ReadLog,
        send_text: SendText,
        send_event: SendEvent,
        batch: int = CATCH_UP_BATCH,
    ) -> None:
        self.last_seq = last_seq
        self._read_log = read_log  # (after_seq, limit) -> [(seq, text)], in order
        self._send_text = send_text
        self._send_event = send_event
        self._batch = batch
        self._pending: list[LiveEvent] = []
        self._replaying = asyncio.Lock()

    async def start(self, subscribe: Callable[[], Awaitable[None]], snapshot: str) -> None:
        """Subscribe, send the snapshot, then everything logged after `last_seq`."""
        async with self._replaying:
            await subscribe()
            await self._send_text(snapshot)
            await self.catch_up()
            await self._drain_pending()

    async def catch_up(self, until: int | None = None) -> None:
        """Send logged events after `last_seq` (up to `until`), in batches."""
        while True:
            batch = await self._read_log(self.last_seq, self._batch)
            for seq, text in batch:
                if until is not None and seq > until:
                    return
                await self._send_text(text)
                self.last_seq = seq
            if len(batch) < self._batch:
                return

    async def deliver(self, events: list[LiveEvent]) -> None:
        """A batch of live events from the fanout, in seq order."""
        if self._replaying.locked():
            self._pending.extend(events)
            return
        for index, event in enumerate(events):
            if event.seq <= self.last_seq:
                continue  # already sent by the catch-up
            if event.seq > self.last_seq + 1:
                # A broadcast went missing: fill the gap from the log, off the
                # fanout's loop, and keep what follows in order behind it.
                self._pending.extend(events[index:])
                asyncio.get_running_loop().create_task(self._fill_gap())
                return
            await self._send_live(event)

    async def _send_live(self, event: LiveEvent) -> None:
        await self._send_event(event)
        self.last_seq = event.seq

    async def _fill_gap(self) -> None:
        async with self._replaying:
            await self.catch_up()
            await self._drain_pending()

    async def _drain_pending(self) -> None:
        pending, self._pending = self._pending, []
        for event in pending:
            if event.seq <= self.last_seq:
                continue
            if event.seq > self.last_seq + 1:
                await self.catch_up(until=event.seq - 1)
            await self._send_live(event)
