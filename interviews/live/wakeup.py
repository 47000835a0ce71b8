"""How writers tell the analysis runner there is work, without importing it.

Services call `notify(interview_id)` after commit; a runner running in this process
registers a listener. With no runner here (a management command, another process
ingesting) nothing happens: every runner also polls the database, which is the
source of truth for pending work.
"""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[int], None]] = []


def listen(callback: Callable[[int], None]) -> None:
    _listeners.append(callback)


def notify(interview_id: int) -> None:
    for callback in list(_listeners):
        callback(interview_id)
