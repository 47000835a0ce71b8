"""How the interview pages show rows: times and clocks.

Presentation, not reads: selectors return rows, these functions give them what a
template or a file shows. One place for the interview clock (`mm:ss` from the
interview's start) used by the detail page, the report and the CSV; the live page's
JavaScript (`static/js/live.js`, `clock()`) writes the same format.
"""

from __future__ import annotations

from django.utils import timezone

from interviews.labels import insight_labels, skill_names, speaker_label


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
    previous = None
    for row in rows:
        # One speaker's consecutive rows read as one turn: the rows after the first
        # show no name and no time of their own.
        row.continues = previous is not None and bool(row.speaker) and row.speaker == previous
        previous = row.speaker
        row.speaker_words = speaker_label(row.speaker)
        # Formatted here, not with two `|date` filters per row in the template: on a
        # 200-row page those were a third of the render time.
        local = timezone.localtime(row.timestamp)
        row.iso_time = local.isoformat()
        row.time_of_day = local.strftime("%H:%M:%S")
        row.clock = clock(row.offset_ms)
    return rows


def insight_offset_ms(insight, interview) -> int | None:
    """Where an insight sits in the interview: its answer's place, or the time it
    was written after the start."""
    if insight.transcript_id and getattr(insight, "transcript", None) is not None:
        return insight.transcript.offset_ms
    if interview.started_at and insight.timestamp:
        return int((insight.timestamp - interview.started_at).total_seconds() * 1000)
    return None


def insights_in_words(insights, interview) -> list:
    """Each insight with its codes in words (`interviews/labels.py`) and its `clock`."""
    requirements = (interview.job_position.requirements or {}) if interview.job_position else {}
    names = skill_names(requirements)
    rows = list(insights)
    for row in rows:
        row.words = insight_labels(row, names)
        offset = insight_offset_ms(row, interview)
        row.clock = clock(offset) if offset is not None else ""
    return rows


def duration_words(interview: object) -> str:
    """How long the interview lasted, from its start to its end (or to now while
    live), as "mm:ss"."""
    if not interview.started_at:
        return ""
    end = interview.completed_at or timezone.now()
    return clock(int((end - interview.started_at).total_seconds() * 1000))
