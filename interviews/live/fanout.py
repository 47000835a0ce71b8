"""One channel-layer subscription per interview per server process, fanned out to
that process's live pages in a loop.

The channel layer is the way between processes; inside one process, giving each of
a thousand sockets its own channel-layer queue costs a queue put, a task wake-up
and a dispatch per socket per event. Here each process receives an event once and
hands the already-serialised text, framed once, to every local page, which is
what makes a 1,000-viewer broadcast cheap.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

from channels.layers import get_channel_layer

from interviews.live.events import group_name
from interviews.live.wire import LiveEvent, live_events

logger = logging.getLogger(__name__)


class Listener(Protocol):
    async def deliver(self, events: list[LiveEvent]) -> None: ...


class Fanout:
    def __init__(self) -> None:
        self.listeners: dict[int, set[Listener]] = {}
        self.pumps: dict[int, tuple[str, asyncio.Task]] = {}
        self.lock = asyncio.Lock()

    async def join(self, interview_id: int, listener: Listener) -> None:
        async with self.lock:
            self.listeners.setdefault(interview_id, set()).add(listener)
            if interview_id in self.pumps:
                return
            layer = get_channel_layer()
            channel = await layer.new_channel("feed.")
            await layer.group_add(group_name(interview_id), channel)
            task = asyncio.get_running_loop().create_task(
                self._pump(interview_id, channel), name=f"feed-{interview_id}"
            )
            self.pumps[interview_id] = (channel, task)

    async def leave(self, interview_id: int, listener: Listener) -> None:
        async with self.lock:
            listeners = self.listeners.get(interview_id)
            if listeners is None:
                return
            listeners.discard(listener)
            if listeners:
                return
            del self.listeners[interview_id]
            pump = self.pumps.pop(interview_id, None)
            if pump is None:  # its subscription failed (the channel layer was away)
                return
            channel, task = pump
            task.cancel()
            await get_channel_layer().group_discard(group_name(interview_id), channel)

    async def _pump(self, interview_id: int, channel: str) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: pages catch up from the log when it is back
                logger.warning(
                    "Feed of interview %s lost its channel layer; retrying", interview_id
                )
                await asyncio.sleep(1)
                continue
            # Framed once here, written to each local page (wire.py).
            events = live_events(message.get("events") or [])
            for listener in list(self.listeners.get(interview_id, ())):
                try:
                    await listener.deliver(events)
                except Exception:  # one broken socket must not starve the others
                    logger.exception("Delivering to a live page failed")


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout] = weakref.WeakKeyDictionary()


def fanout() -> Fanout:
    """This process's fanout (one per event loop: tests run several loops)."""
    loop = asyncio.get_running_loop()
    if loop not in _by_loop:
        _by_loop[loop] = Fanout()
    return _by_loop[loop]
