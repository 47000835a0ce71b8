"""Candidate pages: list with search by name, email and skill; create and edit
through the CV form; detail with the parsed CV, Jira link and interview history."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.models import Candidate
from interviews.tests.dashboard_support import (
    MAX_PAGE_QUERIES,
    assert_queries,
    completed_interview,
    queries_for,
)
from tests.factories import CandidateFactory, InterviewFactory, cv

pytestmark = pytest.mark.django_db
LIST = reverse("candidates:list")


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


def test_anonymous_visitor_is_sent_to_sign_in(client):
    assert client.get(LIST).status_code == 302
    assert client.get(reverse("candidates:create")).status_code == 302


def test_list_searches_by_name_email_and_skill_however_spelled(alice_client):
    CandidateFactory(name="Lucía Fernández", email="lucia@acme.es", cv_data=cv("ReactJS"))
    CandidateFactory(name="Pedro Gómez", email="pedro@otra.es", cv_data=cv("Go"))

    assert names(alice_client.get(LIST, {"q": "lucía"})) == ["Lucía Fernández"]
    assert names(alice_client.get(LIST, {"q": "pedro@otra"})) == ["Pedro Gómez"]
    assert names(alice_client.get(LIST, {"q": "react.js"})) == ["Lucía Fernández"]
    assert names(alice_client.get(LIST, {"q": "golang"})) == ["Pedro Gómez"]


def test_list_paginates_and_empty_search_says_what_to_do(alice_client):
    for _ in range(30):
        CandidateFactory()
    assert len(alice_client.get(LIST).context["page"].object_list) == 25
    assert len(alice_client.get(LIST, {"page": 2}).context["page"].object_list) == 5
    html = alice_client.get(LIST, {"q": "nadie-se-llama-asi"}).content.decode()
    assert reverse("candidates:create") in html


def test_list_runs_the_same_queries_for_2_or_30_candidates(
    alice_client, alice, django_assert_num_queries
):
    for _ in range(2):
        completed_interview(interviewer=alice)
    count = queries_for(alice_client, LIST)
    assert count <= MAX_PAGE_QUERIES
    for _ in range(28):
        completed_interview(interviewer=alice)
    assert_queries(django_assert_num_queries, alice_client, LIST, count)


def test_create_a_candidate_with_a_json_resume(alice_client):
    resume = {
        "basics": {"name": "Ana Torres", "email": "ana@example.com"},
        "work": [{"name": "Acme", "position": "Backend", "startDate": "2019-01"}],
        "skills": [{"name": "Python"}, {"name": "Django"}],
        "languages": [{"language": "Spanish", "fluency": "Native"}],
    }
    upload = SimpleUploadedFile(
        "ana.json", json.dumps(resume).encode(), content_type="application/json"
    )

    response = alice_client.post(
        reverse("candidates:create"),
        {"name": "Ana Torres", "email": "ana@example.com", "jira_ticket": "hr-12", "cv": upload},
    )

    ana = Candidate.objects.get(name="Ana Torres")
    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", args=[ana.pk])
    assert ana.jira_ticket == "HR-12"
    assert {s["name"] for s in ana.skills} >= {"Python", "Django"}


def test_create_form_shows_errors_next_to_the_fields(alice_client):
    response = alice_client.post(
        reverse("candidates:create"), {"name": "", "email": "not-an-email", "jira_ticket": "12"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"name", "email", "jira_ticket"} <= set(errors)
    html = response.content.decode()
    assert 'id="id_jira_ticket_error"' in html
    assert not Candidate.objects.exists()


def test_a_bad_cv_is_refused_on_the_form_and_nothing_changes(alice_client, candidate):
    before = candidate.cv_data
    upload = SimpleUploadedFile("cv.pdf", b"not a pdf at all", content_type="application/pdf")
    response = alice_client.post(
        reverse("candidates:edit", args=[candidate.pk]), {"name": "Otro Nombre", "cv": upload}
    )
    assert response.status_code == 200
    assert "cv" in response.context["form"].errors
    candidate.refresh_from_db()
    assert candidate.name == "Lucía Fernández"
    assert candidate.cv_data == before


def test_any_interviewer_edits_a_candidate(client, bob, candidate):
    client.force_login(bob)
    response = client.post(
        reverse("candidates:edit", args=[candidate.pk]),
        {
            "name": "Lucía Fernández Ruiz",
            "email": "lucia@example.com",
            "phone": "",
            "jira_ticket": "",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.name == "Lucía Fernández Ruiz"


def test_detail_shows_the_parsed_cv(alice_client):
    person = CandidateFactory(
        cv_data={
            **cv("Python", "Kubernetes", years=7),
            "education": [{"institution": "Universidad de Sevilla", "area": "Informática"}],
            "languages": [{"language": "English", "fluency": "C1"}],
        }
    )
    html = alice_client.get(reverse("candidates:detail", args=[person.pk])).content.decode()
    for text in ("Kubernetes", "Acme", "Universidad de Sevilla", "English", "C1"):
        assert text in html


def test_jira_ticket_is_a_link_when_jira_is_configured(alice_client, settings):
    person = CandidateFactory(jira_ticket="HR-42")
    url = reverse("candidates:detail", args=[person.pk])

    settings.JIRA_BASE_URL = ""
    assert "/browse/HR-42" not in alice_client.get(url).content.decode()
    settings.JIRA_BASE_URL = "https://acme.atlassian.net"
    assert (
        'href="https://acme.atlassian.net/browse/HR-42"' in alice_client.get(url).content.decode()
    )


def test_detail_lists_every_interview_with_its_scorecard(alice_client, alice, bob, position):
    first = completed_interview(interviewer=alice, position=position, score=6.0)
    person = first.candidate
    second = completed_interview(interviewer=bob, position=position, candidate=person, score=8.5)
    # The overall score shows once the interviewer has decided (decide-first).
    second.scorecard.__class__.objects.filter(interview=second).update(
        decision="hire", decision_reason="Solid"
    )
    upcoming = InterviewFactory(candidate=person, interviewer=alice)

    response = alice_client.get(reverse("candidates:detail", args=[person.pk]))

    html = response.content.decode()
    assert len(response.context["interviews"]) == 3
    assert ("8.5" in html) or ("8,5" in html)
    assert reverse("interviews:detail", args=[upcoming.pk]) in html


def test_detail_runs_the_same_queries_for_2_or_30_interviews(
    alice_client, alice, position, django_assert_num_queries
):
    person = CandidateFactory()
    for _ in range(2):
        completed_interview(interviewer=alice, position=position, candidate=person)
    url = reverse("candidates:detail", args=[person.pk])
    count = queries_for(alice_client, url)
    assert count <= MAX_PAGE_QUERIES
    for _ in range(28):
        completed_interview(interviewer=alice, position=position, candidate=person)
    assert_queries(django_assert_num_queries, alice_client, url, count)
