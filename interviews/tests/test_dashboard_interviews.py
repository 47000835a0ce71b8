"""The interviews list (filters, search, pagination) and scheduling a new one."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interviews.models import Interview
from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import CandidateFactory, InterviewFactory, JobPositionFactory

pytestmark = pytest.mark.django_db
LIST = reverse("interviews:list")


def names(response) -> list[str]:
    return [i.candidate.name for i in response.context["page"].object_list]


def test_list_shows_every_interview_with_people_and_status(alice_client, interview):
    response = alice_client.get(LIST)
    html = response.content.decode()
    assert interview.candidate.name in html
    assert interview.job_position.title in html
    assert reverse("interviews:detail", args=[interview.pk]) in html


def test_list_filters_by_status_position_and_interviewer(alice_client, alice, bob):
    other_position = JobPositionFactory(title="Data Engineer")
    mine = InterviewFactory(interviewer=alice, candidate=CandidateFactory(name="Ana Mine"))
    bobs = InterviewFactory(
        interviewer=bob,
        job_position=other_position,
        status="cancelled",
        candidate=CandidateFactory(name="Berta Bobs"),
    )

    assert names(alice_client.get(LIST, {"status": "cancelled"})) == [bobs.candidate.name]
    assert names(alice_client.get(LIST, {"position": other_position.pk})) == ["Berta Bobs"]
    assert names(alice_client.get(LIST, {"interviewer": alice.pk})) == [mine.candidate.name]


def test_list_searches_by_candidate_name_or_email(alice_client, alice):
    InterviewFactory(candidate=CandidateFactory(name="Lucía Fernández", email="lucia@x.es"))
    InterviewFactory(candidate=CandidateFactory(name="Pedro Gómez", email="pedro@y.es"))

    assert names(alice_client.get(LIST, {"q": "lucía"})) == ["Lucía Fernández"]
    assert names(alice_client.get(LIST, {"q": "pedro@y"})) == ["Pedro Gómez"]


def test_date_range_is_in_the_viewers_time_zone(alice_client, alice):
    alice.time_zone = "America/Mexico_City"
    alice.save(update_fields=["time_zone"])
    mexico = zoneinfo.ZoneInfo("America/Mexico_City")
    # 23:00 on 10 March in Mexico City is already 11 March in UTC.
    late = InterviewFactory(scheduled_at=datetime(2026, 3, 10, 23, 0, tzinfo=mexico))
    InterviewFactory(scheduled_at=datetime(2026, 3, 11, 9, 0, tzinfo=mexico))

    response = alice_client.get(LIST, {"date_from": "2026-03-10", "date_to": "2026-03-10"})

    assert names(response) == [late.candidate.name]


def test_a_bad_filter_value_is_ignored_not_an_error(alice_client, interview):
    response = alice_client.get(LIST, {"status": "nonsense", "date_from": "yesterday"})
    assert response.status_code == 200


def test_list_paginates(alice_client, alice):
    for _ in range(30):
        InterviewFactory(interviewer=alice)
    first = alice_client.get(LIST)
    second = alice_client.get(LIST, {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "?page=2" in first.content.decode()


def test_empty_list_points_to_scheduling(alice_client):
    html = alice_client.get(LIST).content.decode()
    assert reverse("interviews:new") in html


def test_list_runs_the_same_queries_for_2_or_30_interviews(
    alice_client, alice, bob, django_assert_num_queries
):
    def grow(n):
        for k in range(n):
            position = JobPositionFactory(title=f"Role {k}")
            completed_interview(interviewer=alice if k % 2 else bob, position=position)

    grow(2)
    small = queries_for(alice_client, LIST)
    assert small <= MAX_PAGE_QUERIES
    grow(28)
    assert_queries(django_assert_num_queries, alice_client, LIST, small)


# --- Scheduling -------------------------------------------------------------------


def test_scheduling_creates_an_interview_for_the_current_user_in_their_time_zone(
    alice_client, alice, candidate, position
):
    alice.time_zone = "America/Bogota"
    alice.save(update_fields=["time_zone"])

    response = alice_client.post(
        reverse("interviews:new"),
        {
            "candidate": candidate.pk,
            "job_position": position.pk,
            "scheduled_at": "2026-05-04T10:30",
            "language": "en",
        },
    )

    interview = Interview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("interviews:detail", args=[interview.pk])
    assert interview.interviewer == alice
    assert interview.status == "scheduled"
    assert interview.language == "en"
    # 10:30 in Bogotá (UTC-5) is 15:30 UTC.
    assert interview.scheduled_at == datetime(2026, 5, 4, 15, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))


def test_schedule_form_shows_errors_next_to_the_fields(alice_client, candidate):
    response = alice_client.post(
        reverse("interviews:new"), {"candidate": candidate.pk, "scheduled_at": "not a date"}
    )
    assert response.status_code == 200
    assert not Interview.objects.exists()
    form = response.context["form"]
    assert "scheduled_at" in form.errors
    html = response.content.decode()
    assert 'id="id_scheduled_at_error"' in html
    assert 'aria-invalid="true"' in html


def test_a_closed_position_cannot_be_chosen(alice_client, candidate):
    closed = JobPositionFactory(title="Old role", status="closed")
    response = alice_client.post(
        reverse("interviews:new"),
        {
            "candidate": candidate.pk,
            "job_position": closed.pk,
            "scheduled_at": "2026-05-04T10:30",
            "language": "es",
        },
    )
    assert "job_position" in response.context["form"].errors
    assert not Interview.objects.exists()


def test_schedule_form_is_prefilled_from_a_candidate_page(alice_client, candidate):
    response = alice_client.get(reverse("interviews:new"), {"candidate": candidate.pk})
    assert response.context["form"].initial["candidate"] == candidate.pk
    assert f'<option value="{candidate.pk}" selected>' in response.content.decode()


def test_interview_schedule_service_refuses_a_closed_position(alice, candidate):
    from django.core.exceptions import ValidationError

    from interviews.services import interview_schedule

    closed = JobPositionFactory(status="closed")
    with pytest.raises(ValidationError):
        interview_schedule(
            candidate=candidate,
            interviewer=alice,
            job_position=closed,
            scheduled_at=timezone.now() + timedelta(days=1),
        )
    assert not Interview.objects.exists()


# --- Changing an interview from its page --------------------------------------------


def test_only_the_interviewer_may_start_or_cancel(client, bob, interview):
    client.force_login(bob)
    response = client.post(reverse("interviews:status", args=[interview.pk]), {"to": "cancelled"})
    assert response.status_code == 403
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_the_interviewer_cancels_from_the_detail_page(alice_client, interview):
    response = alice_client.post(
        reverse("interviews:status", args=[interview.pk]), {"to": "cancelled"}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == "cancelled"


def test_staff_may_start_someone_elses_interview_and_land_on_the_live_page(
    client, charlie, interview
):
    client.force_login(charlie)
    response = client.post(reverse("interviews:status", args=[interview.pk]), {"to": "live"})
    assert response["Location"] == reverse("interviews:live", args=[interview.pk])
    interview.refresh_from_db()
    assert interview.status == "live"


def test_an_illegal_transition_is_explained_not_a_500(alice_client, interview):
    interview.status = "cancelled"
    interview.save()
    response = alice_client.post(
        reverse("interviews:status", args=[interview.pk]), {"to": "live"}, follow=True
    )
    assert response.status_code == 200
    interview.refresh_from_db()
    assert interview.status == "cancelled"
    assert list(response.context["messages"])
