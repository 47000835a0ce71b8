"""Reads for the candidate and job position pages, each with its joins decided
here once so a page costs the same number of queries whatever the data size."""

from __future__ import annotations

from django.db.models import Case, Count, F, Max, OuterRef, QuerySet, Subquery, Value, When
from django.shortcuts import get_object_or_404

from candidates.models import Candidate, JobPosition, interviews_model, scorecards_model


def candidate_list(text: str = "") -> QuerySet[Candidate]:
    """Search by name, email or skill (however the CV spells it)."""
    return (
        Candidate.objects.search(text)
        # The CV's extracted text can be long and the list never shows it.
        .defer("cv_text")
        .annotate(
            interview_count=Count("interviews", distinct=True),
            last_interview_at=Max("interviews__scheduled_at"),
        )
        .order_by("name", "id")
    )


def candidate_for_page(candidate_id: int) -> Candidate:
    """A candidate with every interview and its scorecard (the seed's FAQ query)."""
    return get_object_or_404(Candidate.objects.with_history(), pk=candidate_id)


def candidates_by_ids(ids: list[int]) -> list[Candidate]:
    found = Candidate.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def position_list(status: str = "") -> QuerySet[JobPosition]:
    rows = JobPosition.objects.annotate(
        interview_count=Count("interviews", distinct=True),
        candidate_count=Count("interviews__candidate", distinct=True),
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("title", "id")


def position_for_page(position_id: int) -> JobPosition:
    return get_object_or_404(JobPosition, pk=position_id)


def position_interviews(position: JobPosition):
    return (
        interviews_model()
        .objects.with_people()
        .select_related("scorecard")
        .filter(job_position=position)
        .order_by(F("scheduled_at").desc(nulls_last=True), "-id")
    )


def position_ranking(position: JobPosition) -> QuerySet[Candidate]:
    """The position's candidates, best overall score first (those without a scored
    interview last), each with the scorecard of their best interview for it."""
    best = (
        scorecards_model()
        .objects.filter(
            interview__candidate=OuterRef("pk"),
            interview__job_position=position,
            overall_score__isnull=False,
        )
        .order_by("-overall_score", "-interview__completed_at")
    )
    return (
        # Filtering before annotating makes the aggregates count this position only.
        Candidate.objects.filter(interviews__job_position=position)
        .annotate(
            best_score=Max("interviews__scorecard__overall_score"),
            interview_count=Count("interviews", distinct=True),
            best_interview_id=Subquery(best.values("interview_id")[:1]),
            best_recommendation=Subquery(best.values("recommendation")[:1]),
            best_decision=Subquery(best.values("decision")[:1]),
        )
        .annotate(
            # "hire: reason" -> "hire", so the page shows the verdict, not the essay.
            best_verdict=Case(
                *[
                    When(best_recommendation__startswith=f"{v}:", then=Value(v))
                    for v in ("hire", "no_hire", "maybe")
                ],
                default=Value(""),
            )
        )
        .order_by(F("best_score").desc(nulls_last=True), "name", "id")
    )


def positions_for_filters() -> QuerySet[JobPosition]:
    return JobPosition.objects.only("id", "title", "status").order_by("title", "id")
