"""How the interview pages show rows: times and clocks.

Presentation, not reads: selectors return rows, these functions give them what a
template or a file shows. One place for the interview clock (`mm:ss` from the
interview's start) used by the detail page, the report and the CSV; the live page's
JavaScript (`static/js/live.js`, `clock()`) writes the same format.
"""

from __future__ import annotations

from django.utils import timezone


def clock(offset_ms: int | None) -> str:
    """Time since the interview started: `mm:ss`, or `h:mm:ss` past an hour."""
    seconds = max(offset_ms or 0, 0) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def with_clock(rows: list) -> list:
    """Give each transcript row its place in the interview (`clock`) and its local
    time of day: rows that arrive in one batch (an import) share a wall-clock time,
    never an offset."""
    for row in rows:
        # Formatted here, not with two `|date` filters per row in the template: on a
        # 200-row page those were a third of the render time.
        local = timezone.localtime(row.timestamp)
        row.iso_time = local.isoformat()
        row.time_of_day = local.strftime("%H:%M:%S")
        row.clock = clock(row.offset_ms)
    return rows
