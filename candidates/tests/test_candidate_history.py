"""The seed's FAQ query: a candidate with every interview and its scorecard, in a
number of queries that does not grow with the number of interviews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate
from tests.factories import (
    CandidateFactory,
    InterviewFactory,
    JobPositionFactory,
    ScorecardFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The candidate, then their interviews joined to scorecard, position and interviewer.
HISTORY_QUERIES = 2


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every user the factories make gets a hashed password; PBKDF2 costs about a
    # second each on a busy CI machine, and nothing here signs in with a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def history_of(candidate_id: int) -> list[tuple]:
    """Everything a candidate page shows for each interview."""
    candidate = Candidate.objects.with_history().get(pk=candidate_id)
    rows = []
    for interview in candidate.interviews.all():
        scorecard = getattr(interview, "scorecard", None)
        rows.append(
            (
                interview.pk,
                interview.status,
                interview.interviewer.email,
                interview.job_position.title if interview.job_position else None,
                scorecard.overall_score if scorecard else None,
                scorecard.recommendation_verdict if scorecard else None,
            )
        )
    return rows


def candidate_with(interviews: int) -> Candidate:
    candidate = CandidateFactory(name="Lucía Fernández")
    interviewers = [UserFactory(), UserFactory()]
    positions = [JobPositionFactory(title="Backend"), JobPositionFactory(title="Data"), None]
    start = timezone.now()
    for n in range(interviews):
        interview = InterviewFactory(
            candidate=candidate,
            interviewer=interviewers[n % 2],
            job_position=positions[n % 3],
            scheduled_at=start - timedelta(days=n),
        )
        if n % 2 == 0:  # every other interview has its scorecard
            ScorecardFactory(interview=interview, overall_score=5 + n % 5)
    # Someone else's interview, which must not appear.
    InterviewFactory(scheduled_at=start)
    return candidate


@pytest.mark.parametrize("interviews", [1, 20])
def test_a_candidates_history_loads_in_a_constant_number_of_queries(
    django_assert_num_queries, interviews
):
    candidate = candidate_with(interviews)

    with django_assert_num_queries(HISTORY_QUERIES):
        history = history_of(candidate.pk)

    assert len(history) == interviews
    assert sum(1 for row in history if row[4] is not None) == (interviews + 1) // 2


def test_one_and_twenty_interviews_cost_the_same():
    counts = []
    for interviews in (1, 20):
        candidate = candidate_with(interviews)
        with CaptureQueriesContext(connection) as queries:
            history_of(candidate.pk)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_history_is_newest_first_with_each_interviews_own_scorecard():
    candidate = candidate_with(3)

    history = history_of(candidate.pk)

    scheduled = list(candidate.interviews.order_by("-scheduled_at").values_list("pk", flat=True))
    assert [row[0] for row in history] == scheduled
    by_interview = {row[0]: row[4] for row in history}
    for interview in candidate.interviews.select_related("scorecard"):
        expected = interview.scorecard.overall_score if hasattr(interview, "scorecard") else None
        assert by_interview[interview.pk] == expected


def test_a_list_of_candidates_with_history_costs_the_same_as_one():
    for _ in range(5):
        candidate_with(3)

    with CaptureQueriesContext(connection) as queries:
        candidates = list(Candidate.objects.with_history())
        total = sum(len(c.interviews.all()) for c in candidates)
        for c in candidates:
            for interview in c.interviews.all():
                getattr(interview, "scorecard", None)
                _ = interview.interviewer.email

    assert total == 5 * 3 + 5  # each candidate_with() also makes one other interview
    assert len(queries) == HISTORY_QUERIES
