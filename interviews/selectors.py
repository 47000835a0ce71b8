"""Reads for interviews: the live feed's catch-up, the analysis runner's work list,
and the pages' querysets (each decides its select/prefetch once, here)."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Interview, InterviewEvent, Transcript


def interview_for_feed(interview_id: int) -> Interview | None:
    return Interview.objects.filter(pk=interview_id).first()


def events_after(
    interview_id: int, after_seq: int, limit: int | None = None
) -> list[tuple[int, str]]:
    """Logged events with seq > after_seq, in order, as (seq, websocket text)."""
    from .events import event_message

    rows = InterviewEvent.objects.filter(interview_id=interview_id, seq__gt=after_seq).order_by(
        "seq"
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        (seq, event_message(seq, type_, object_id, data))
        for seq, type_, object_id, data in rows.values_list("seq", "type", "object_id", "data")
    ]


def pending_interview_ids(interview_ids: Iterable[int] | None = None) -> list[int]:
    """Interviews with final chunks waiting for analysis."""
    rows = Transcript.objects.pending_analysis()
    if interview_ids is not None:
        rows = rows.filter(interview_id__in=list(interview_ids))
    return sorted(set(rows.values_list("interview_id", flat=True)))


LIVE_PAGE_TRANSCRIPT_ROWS = 200


def live_page_state(interview: Interview) -> dict:
    """What the live page renders first, and the seq its websocket resumes after.

    Read in one transaction-consistent pass: `last_seq` is read first, so any row
    changed after it is also an event with a larger seq and reaches the page.
    """
    from .models import AIInsight
    from .payloads import insight_data, interview_data, transcript_data

    last_seq = Interview.objects.values_list("last_seq", flat=True).get(pk=interview.pk)
    rows = list(
        Transcript.objects.filter(interview=interview).order_by("-timestamp", "-id")[
            :LIVE_PAGE_TRANSCRIPT_ROWS
        ]
    )
    insights = list(
        AIInsight.objects.filter(interview=interview).order_by("-timestamp", "-id")[:300]
    )
    requirements = (interview.job_position.requirements or {}) if interview.job_position else {}
    return {
        "last_seq": last_seq,
        "interview": interview_data(interview),
        "transcripts": [{"id": r.pk, **transcript_data(r)} for r in reversed(rows)],
        "insights": [{"id": i.pk, **insight_data(i)} for i in reversed(insights)],
        "requirements": requirements,
    }
