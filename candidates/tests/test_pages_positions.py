"""Job position pages: list with status filter, detail with requirements, the
position's interviews and its candidates ranked by overall score."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import CandidateFactory, InterviewFactory, JobPositionFactory

pytestmark = pytest.mark.django_db
LIST = reverse("candidates:position_list")


def detail(position) -> str:
    return reverse("candidates:position_detail", args=[position.pk])


def test_anonymous_visitor_is_sent_to_sign_in(client, position):
    assert client.get(LIST).status_code == 302
    assert client.get(detail(position)).status_code == 302


def test_list_shows_positions_with_counts_and_filters_by_status(alice_client, alice, position):
    JobPositionFactory(title="Frontend Lead", status="closed")
    completed_interview(interviewer=alice, position=position)
    completed_interview(interviewer=alice, position=position)

    everything = alice_client.get(LIST)
    closed = alice_client.get(LIST, {"status": "closed"})

    backend = next(p for p in everything.context["page"].object_list if p.pk == position.pk)
    assert (backend.interview_count, backend.candidate_count) == (2, 2)
    assert [p.title for p in closed.context["page"].object_list] == ["Frontend Lead"]


def test_empty_list_says_where_positions_come_from(alice_client):
    assert "admin" in alice_client.get(LIST).content.decode()


def test_detail_shows_requirements_and_jira_epic(alice_client, settings):
    settings.JIRA_BASE_URL = "https://acme.atlassian.net"
    position = JobPositionFactory(jira_epic="HIRE-7")
    html = alice_client.get(detail(position)).content.decode()
    for text in ("Python", "3+ years", "B2", "Docker"):
        assert text in html
    assert 'href="https://acme.atlassian.net/browse/HIRE-7"' in html


def test_candidates_are_ranked_by_their_best_overall_score_for_this_position(
    alice_client, alice, position
):
    other_position = JobPositionFactory(title="Other")
    low = completed_interview(interviewer=alice, position=position, score=5.0).candidate
    high = completed_interview(interviewer=alice, position=position, score=9.0).candidate
    # A better score for another position does not count here.
    completed_interview(interviewer=alice, position=other_position, candidate=low, score=10.0)
    # The better of two interviews for this position does.
    completed_interview(
        interviewer=alice, position=position, candidate=low, score=6.5, decision="maybe"
    )
    unscored = InterviewFactory(job_position=position, candidate=CandidateFactory()).candidate

    ranking = list(alice_client.get(detail(position)).context["ranking"].object_list)

    assert ranking == [high, low, unscored]
    assert ranking[1].best_score == 6.5
    assert ranking[1].interview_count == 2
    assert ranking[1].best_decision == "maybe"
    assert ranking[0].best_verdict == "hire"
    assert ranking[2].best_score is None


def test_detail_lists_the_positions_interviews(alice_client, alice, position):
    done = completed_interview(interviewer=alice, position=position)
    elsewhere = completed_interview(interviewer=alice, position=JobPositionFactory())
    interviews = list(alice_client.get(detail(position)).context["interviews"].object_list)
    assert done in interviews and elsewhere not in interviews


def test_detail_runs_the_same_queries_for_2_or_30_interviews(
    alice_client, alice, position, django_assert_num_queries
):
    for _ in range(2):
        completed_interview(interviewer=alice, position=position)
    count = queries_for(alice_client, detail(position))
    assert count <= MAX_PAGE_QUERIES
    for _ in range(28):
        completed_interview(interviewer=alice, position=position)
    assert_queries(django_assert_num_queries, alice_client, detail(position), count)


def test_list_runs_the_same_queries_for_2_or_30_positions(
    alice_client, alice, django_assert_num_queries
):
    for _ in range(2):
        completed_interview(interviewer=alice, position=JobPositionFactory())
    count = queries_for(alice_client, LIST)
    assert count <= MAX_PAGE_QUERIES
    for _ in range(28):
        completed_interview(interviewer=alice, position=JobPositionFactory())
    assert_queries(django_assert_num_queries, alice_client, LIST, count)
