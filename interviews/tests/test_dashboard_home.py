"""The home page: live now, upcoming today and this week, recently completed with
their outcome, counts by status; the same queries whatever the data size."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.selectors import dashboard_home
from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import InterviewFactory, ScorecardFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_shows_live_upcoming_and_recent_interviews(alice_client, alice, position):
    now = timezone.now()
    live = InterviewFactory(interviewer=alice, status="live", started_at=now)
    soon = InterviewFactory(interviewer=alice, scheduled_at=now + timedelta(minutes=30))
    done = completed_interview(interviewer=alice, position=position, score=8.2)
    ScorecardFactory._meta.model.objects.filter(interview=done).update(
        decision="no_hire", decision_reason="Budget"
    )

    response = alice_client.get(reverse("home"))

    html = response.content.decode()
    assert live.candidate.name in html
    assert reverse("interviews:live", args=[live.pk]) in html
    assert soon.candidate.name in html
    assert done.candidate.name in html
    assert "8.2" in html or "8,2" in html
    # The interviewer's decision is shown, and shown before the AI's suggestion.
    assert html.index("v-no_hire") < html.index("v-hire")


def test_home_counts_interviews_by_status(alice_client, alice):
    for _ in range(3):
        InterviewFactory(interviewer=alice, status="cancelled")

    response = alice_client.get(reverse("home"))

    counts = {status: n for status, _label, n in response.context["status_counts"]}
    assert counts["cancelled"] == 3
    assert counts["live"] == 0


def test_empty_home_says_what_to_do_next(alice_client):
    html = alice_client.get(reverse("home")).content.decode()
    assert reverse("interviews:new") in html
    assert "No interview is live right now." in html or "ninguna entrevista" in html.lower()


def test_today_and_this_week_are_the_viewers_days():
    # Wednesday 23:30 in Madrid is already Thursday in UTC+2 places and still
    # Wednesday in UTC: "today" follows the active time zone.
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    now = datetime(2026, 3, 4, 22, 0, tzinfo=madrid)  # a Wednesday
    timezone.activate(madrid)
    try:
        tonight = InterviewFactory(scheduled_at=now + timedelta(minutes=90))  # 23:30
        tomorrow = InterviewFactory(scheduled_at=now + timedelta(hours=12))
        next_week = InterviewFactory(scheduled_at=now + timedelta(days=6))
        home = dashboard_home(now=now)
    finally:
        timezone.deactivate()
    assert home["today"] == [tonight]
    assert home["this_week"] == [tomorrow]
    assert next_week not in home["today"] + home["this_week"]


def test_home_runs_the_same_queries_for_2_or_30_interviews(
    alice_client, alice, position, django_assert_num_queries
):
    now = timezone.now()

    def grow(n):
        for k in range(n):
            InterviewFactory(interviewer=alice, status="live", started_at=now)
            InterviewFactory(interviewer=alice, scheduled_at=now + timedelta(minutes=k + 1))
            completed_interview(interviewer=alice, position=position)

    grow(2)
    small = queries_for(alice_client, reverse("home"))
    assert small <= MAX_PAGE_QUERIES
    grow(28)
    assert_queries(django_assert_num_queries, alice_client, reverse("home"), small)
