"""Reads for scorecards: the panel's row, the report's data, the CSV export's rows,
a scorecard's history and the compare page's cards. Rows and numbers only; what a
page makes of them (forms, charts, CSV cells) lives in `presenters.py`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from interviews.models import (
    SCORE_DIMENSIONS,
    AIInsight,
    InsightType,
    Interview,
    Scorecard,
    ScorecardState,
    Transcript,
)
from interviews.selectors import interview_filters


def scorecard_for_interview(interview: Interview) -> Scorecard | None:
    return Scorecard.objects.select_related("decided_by").filter(interview_id=interview.pk).first()


def scorecard_dimensions(card: Scorecard | None) -> list[dict]:
    """Each dimension's value, the AI's value and whether it was adjusted by hand."""
    ai = (card.ai_scores or {}) if card else {}
    manual = (card.manual_scores or {}) if card else {}
    return [
        {
            "key": dim,
            "value": getattr(card, dim) if card else None,
            "ai": ai.get(dim),
            "adjusted": manual.get(dim) is not None,
        }
        for dim in SCORE_DIMENSIONS
    ]


def report_data(interview: Interview) -> dict:
    """What the printable report shows, read once: the scorecard, the flags that
    count with their evidence, and the whole final transcript."""
    card = scorecard_for_interview(interview)
    flags = list(
        AIInsight.objects.counting()
        .filter(
            interview=interview,
            type__in=[InsightType.RED_FLAG, InsightType.GREEN_FLAG, InsightType.CONTRADICTION],
        )
        .select_related("transcript")
        .order_by("timestamp", "id")
    )
    rows = list(Transcript.objects.final().filter(interview=interview).chronological())
    return {"card": card, "flags": flags, "transcript_rows": rows}


def scorecard_export_rows(
    *, decision: str = "", recommendation: str = "", state: str = "", **filters
):
    """Scorecards for the CSV export, with the interviews list's filters (same
    meaning) plus the interviewer's decision ("none" = not decided), the AI's
    verdict and the state."""
    rows = Scorecard.objects.select_related(
        "interview__candidate",
        "interview__job_position",
        "interview__interviewer",
        "decided_by",
    ).filter(interview_filters("interview__", **filters))
    if decision == "none":
        rows = rows.filter(decision__isnull=True)
    elif decision:
        rows = rows.filter(decision=decision)
    if recommendation:
        rows = rows.filter(recommendation__startswith=f"{recommendation}:")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by(F("interview__scheduled_at").desc(nulls_last=True), "-id")


def scorecard_history(scorecard) -> list:
    """Earlier versions of a scorecard, newest first (the current one is the row)."""
    return list(scorecard.versions.order_by("-version"))


def scorecards_for_compare(candidate_ids: Iterable[int]) -> list:
    """Each candidate's latest ready scorecard, in the order the ids were given.

    Reads every scorecard of at most four candidates in one query: a handful of
    interviews each, whatever the size of the database.
    """

    ids = list(dict.fromkeys(int(i) for i in candidate_ids))
    rows = (
        Scorecard.objects.filter(interview__candidate_id__in=ids, state=ScorecardState.READY)
        .select_related("interview__candidate", "interview__job_position", "interview__interviewer")
        .order_by(
            F("interview__completed_at").desc(nulls_last=True),
            "-interview__scheduled_at",
            "-id",
        )
    )
    latest: dict[int, object] = {}
    for card in rows:
        latest.setdefault(card.interview.candidate_id, card)
    return [latest[i] for i in ids if i in latest]
