"""Data and helpers shared by the dashboard page tests."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AIInsightFactory,
    CandidateFactory,
    InterviewFactory,
    ScorecardFactory,
    TranscriptFactory,
)

# A page may grow a few queries over time; it may never grow with the data.
MAX_PAGE_QUERIES = 14


def queries_for(client, url: str) -> int:
    """How many queries one GET of `url` runs (asserting it answers 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def assert_queries(django_assert_num_queries, client, url: str, expected: int) -> None:
    """GET `url` with exactly `expected` queries (pytest-django's own assertion)."""
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


def completed_interview(*, interviewer, position=None, candidate=None, score=7.5, **card):
    """A finished interview with a ready scorecard, two transcript rows and a flag."""
    now = timezone.now()
    interview = InterviewFactory(
        interviewer=interviewer,
        job_position=position,
        candidate=candidate or CandidateFactory(),
        status="completed",
        scheduled_at=now - timedelta(hours=2),
        started_at=now - timedelta(hours=2),
        completed_at=now - timedelta(hours=1),
    )
    TranscriptFactory(interview=interview, speaker_role="host", duration_ms=4000)
    TranscriptFactory(interview=interview, speaker_role="guest", duration_ms=12000)
    AIInsightFactory(interview=interview)
    # Version 1: as the generation service leaves a first scorecard.
    card = {"version": 1, "generated_at": now - timedelta(minutes=50), **card}
    ScorecardFactory(interview=interview, overall_score=score, **card)
    return interview
