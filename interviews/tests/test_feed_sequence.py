"""The live feed's ordering protocol on its own: no socket, no database.

A fake event log and a list of what was sent stand in for the consumer's wiring."""

from __future__ import annotations

import asyncio

from interviews.live.feed import FeedSequence
from interviews.live.wire import LiveEvent


def event(seq: int) -> LiveEvent:
    return LiveEvent(seq=seq, text=f"e{seq}", frame=b"")


class Log:
    def __init__(self, last: int) -> None:
        self.rows = [(seq, f"e{seq}") for seq in range(1, last + 1)]
        self.reads = 0

    async def read(self, after_seq: int, limit: int) -> list[tuple[int, str]]:
        self.reads += 1
        return sorted(row for row in self.rows if row[0] > after_seq)[:limit]


def feed(log: Log, sent: list[str], last_seq: int = 0, batch: int = 500) -> FeedSequence:
    async def send_text(text: str) -> None:
        sent.append(text)

    async def send_event(e: LiveEvent) -> None:
        sent.append(e.text)

    return FeedSequence(
        last_seq=last_seq,
        read_log=log.read,
        send_text=send_text,
        send_event=send_event,
        batch=batch,
    )


async def noop() -> None:
    return None


async def test_connecting_sends_the_snapshot_then_the_log_after_the_given_seq():
    sent: list[str] = []
    seq = feed(Log(5), sent, last_seq=2)
    await seq.start(noop, "snapshot")
    assert sent == ["snapshot", "e3", "e4", "e5"]
    assert seq.last_seq == 5


async def test_the_catch_up_reads_the_log_in_batches_until_a_short_one():
    sent: list[str] = []
    log = Log(7)
    seq = feed(log, sent, batch=3)
    await seq.start(noop, "snapshot")
    assert sent[1:] == [f"e{i}" for i in range(1, 8)]
    assert log.reads == 3  # 3 + 3 + 1


async def test_a_live_event_already_sent_by_the_catch_up_is_dropped():
    sent: list[str] = []
    seq = feed(Log(3), sent)
    await seq.start(noop, "snapshot")
    await seq.deliver([event(2), event(3)])
    assert sent == ["snapshot", "e1", "e2", "e3"]


async def test_the_next_live_event_is_sent_in_order():
    sent: list[str] = []
    log = Log(2)
    seq = feed(log, sent)
    await seq.start(noop, "snapshot")
    await seq.deliver([event(3), event(4)])
    assert sent[-2:] == ["e3", "e4"]
    assert seq.last_seq == 4


async def test_a_lost_broadcast_is_filled_from_the_log_and_what_follows_stays_behind_it():
    sent: list[str] = []
    log = Log(2)
    seq = feed(log, sent)
    await seq.start(noop, "snapshot")
    log.rows += [(3, "e3"), (4, "e4"), (5, "e5")]  # 3 and 4 committed, their broadcast lost
    await seq.deliver([event(5)])
    await asyncio.sleep(0.01)  # the gap is filled off the fanout's loop turn
    assert sent == ["snapshot", "e1", "e2", "e3", "e4", "e5"]
    assert seq.last_seq == 5


async def test_live_events_arriving_during_the_catch_up_wait_and_go_once_in_order():
    sent: list[str] = []
    log = Log(3)

    async def subscribe_and_race() -> None:
        # Subscribed before the log is read: 3 arrives live while the log is read,
        # 4 and 5 commit after the read and arrive live too.
        await seq.deliver([event(3)])

    real_read = log.read

    async def read_then_commit(after_seq: int, limit: int) -> list[tuple[int, str]]:
        rows = await real_read(after_seq, limit)
        await seq.deliver([event(4), event(5)])  # held: the catch-up is running
        return rows

    log.read = read_then_commit
    seq = feed(log, sent)
    await seq.start(subscribe_and_race, "snapshot")
    assert sent == ["snapshot", "e1", "e2", "e3", "e4", "e5"]
