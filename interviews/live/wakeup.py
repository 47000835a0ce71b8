"""How writers tell the analysis runner there is work, without importing it.

Services call `notify(interview_id)` after commit; a runner running in this process
registers a listener. Ingest says when the new finals only carry the candidate's
answer on (`open_answer`: their ids, none of them the end of the answer): a runner
may then look when the answer may be over instead of at once. With no runner here
(a management command, another process ingesting) nothing happens: every runner also polls the database, which is the
source of truth for pending work.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[..., None]] = []


def listen(callback: Callable[..., None]) -> None:
    """`callback(interview_id, open_answer=(...))`."""
    _listeners.append(callback)


def notify(interview_id: int, *, open_answer: tuple[int, ...] = ()) -> None:
    for callback in list(_listeners):
        callback(interview_id, open_answer=open_answer)
