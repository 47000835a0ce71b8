"""The recruiters' admin: CV upload through the service, JSON editing, requirements."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.forms import validate_job_requirements
from candidates.models import Candidate, JobPosition
from candidates.tests.cv_samples import (
    SPANISH_ONE_COLUMN,
    json_bytes,
    json_resume,
    pdf_encrypted,
    pdf_one_column,
)
from tests.factories import CandidateFactory, UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(candidate) -> str:
    return reverse("admin:candidates_candidate_change", args=[candidate.pk])


def candidate_post(candidate=None, **overrides) -> dict:
    data = {
        "name": candidate.name if candidate else "Nueva Candidata",
        "email": (candidate.email or "") if candidate else "",
        "phone": "",
        "jira_ticket": "",
        "cv_data": json.dumps(candidate.cv_data) if candidate else "",
        "interviews-TOTAL_FORMS": "0",
        "interviews-INITIAL_FORMS": "0",
        "interviews-MIN_NUM_FORMS": "0",
        "interviews-MAX_NUM_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_the_changelist_filters_and_searches_by_skill(admin_client):
    found = CandidateFactory(name="Con React", cv_data={"skills": [{"name": "ReactJS"}]})
    CandidateFactory(name="Con Java", cv_data={"skills": [{"name": "Java"}]})

    response = admin_client.get(
        reverse("admin:candidates_candidate_changelist"), {"q": "react", "has_cv": "no"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [found]


def test_the_change_page_shows_the_parsed_cv_and_the_interviews(admin_client, interview):
    candidate = interview.candidate
    candidate.cv_data = {"source": "pdf", "skills": [{"name": "Computación", "key": "x"}]}
    candidate.save()

    response = admin_client.get(change_url(candidate))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Computación" in content  # pretty-printed without \\u escapes
    assert reverse("admin:interviews_interview_change", args=[interview.pk]) in content
    assert 'name="cv"' in content and 'accept=".pdf,.json,.zip' in content


def test_a_cv_uploaded_in_the_admin_goes_through_the_service(admin_client):
    candidate = CandidateFactory(name="Lucía", cv_data=None)
    data = candidate_post(
        candidate, cv=SimpleUploadedFile("cv.pdf", pdf_one_column(SPANISH_ONE_COLUMN))
    )

    response = admin_client.post(change_url(candidate), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    candidate.refresh_from_db()
    assert candidate.cv_data["source"] == "pdf"
    assert candidate.cv_file.name.endswith(".pdf")
    assert candidate.cv_url == reverse("candidates:cv_file", kwargs={"candidate_id": candidate.pk})
    assert "|react|" in candidate.skill_keys


def test_a_new_candidate_can_be_added_with_a_cv(admin_client):
    data = candidate_post(cv=SimpleUploadedFile("ana.json", json_bytes(json_resume())))

    response = admin_client.post(reverse("admin:candidates_candidate_add"), data)

    assert response.status_code == 302
    candidate = Candidate.objects.get(name="Nueva Candidata")
    assert candidate.cv_data["basics"]["name"] == "Ana Torres"
    assert candidate.cv_file


def test_a_bad_cv_in_the_admin_is_shown_on_the_field_and_changes_nothing(admin_client):
    candidate = CandidateFactory(name="Ana")
    before = candidate.cv_data
    data = candidate_post(
        candidate,
        name="Ana Cambiada",
        cv=SimpleUploadedFile("cv.pdf", pdf_encrypted(pdf_one_column(SPANISH_ONE_COLUMN))),
    )

    response = admin_client.post(change_url(candidate), data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["cv"]
    assert error.code == "pdf_encrypted"
    candidate.refresh_from_db()
    assert (candidate.name, candidate.cv_data) == ("Ana", before)
    assert not candidate.cv_file


def test_editing_cv_data_by_hand_updates_skill_search(admin_client):
    candidate = CandidateFactory(name="Ana")
    cv_data = {**candidate.cv_data, "skills": [{"name": "Vue.js"}, {"name": "Ruby", "key": "Ruby"}]}

    response = admin_client.post(
        change_url(candidate), candidate_post(candidate, cv_data=json.dumps(cv_data))
    )

    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.cv_data["skills"] == [
        {"name": "Vue.js", "key": "vue"},
        {"name": "Ruby", "key": "ruby"},
    ]
    assert list(Candidate.objects.with_skill("vue")) == [candidate]
    assert list(Candidate.objects.with_skill("ruby")) == [candidate]


def test_cv_data_that_is_not_an_object_is_refused(admin_client):
    candidate = CandidateFactory(name="Ana")
    response = admin_client.post(
        change_url(candidate), candidate_post(candidate, cv_data='["Python"]')
    )
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors.as_data()["cv_data"]
    assert error.code == "invalid_cv_data"


def test_interviews_can_autocomplete_candidates_and_positions(admin_client, position):
    CandidateFactory(name="Lucía Fernández")
    url = reverse("admin:autocomplete")

    candidates = admin_client.get(
        url,
        {
            "app_label": "interviews",
            "model_name": "interview",
            "field_name": "candidate",
            "term": "Lucía",
        },
    ).json()
    positions = admin_client.get(
        url,
        {
            "app_label": "interviews",
            "model_name": "interview",
            "field_name": "job_position",
            "term": "Backend",
        },
    ).json()

    assert [r["text"] for r in candidates["results"]] == ["Lucía Fernández"]
    assert [r["text"] for r in positions["results"]] == [position.title]


def position_post(requirements) -> dict:
    return {
        "title": "Backend Developer",
        "description": "",
        "requirements": json.dumps(requirements),
        "seniority_level": "senior",
        "location": "",
        "salary_range": "",
        "status": "open",
        "jira_epic": "",
    }


def test_a_position_with_valid_requirements_and_weights_is_saved(admin_client):
    requirements = {
        "technical_skills": ["Python", "Django"],
        "experience": "3+ years",
        "english_level": "B2",
        "nice_to_have": ["Docker"],
        "weights": {"technical": 2, "english": 0.5, "attitude": 0},
    }

    response = admin_client.post(
        reverse("admin:candidates_jobposition_add"), position_post(requirements)
    )

    assert response.status_code == 302
    assert JobPosition.objects.get().requirements == requirements


def test_a_position_with_a_bad_weight_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("admin:candidates_jobposition_add"),
        position_post({"technical_skills": ["Python"], "weights": {"charisma": 1}}),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["requirements"]
    assert "charisma" in errors[0]
    assert not JobPosition.objects.exists()


@pytest.mark.parametrize(
    "requirements",
    [
        ["Python"],
        {"technical_skills": "Python"},
        {"technical_skills": ["Python", ""]},
        {"nice_to_have": [1, 2]},
        {"experience": -1},
        {"experience": ["3 years"]},
        {"english_level": 2},
        {"weights": [1, 2]},
        {"weights": {"technical": -1}},
        {"weights": {"technical": "high"}},
        {"weights": {"technical": True}},
        {"weights": {"technical": float("nan")}},
        {"technical_skill": ["typo in the key"]},
    ],
)
def test_requirements_of_the_wrong_shape_are_refused(requirements):
    with pytest.raises(ValidationError):
        validate_job_requirements(requirements)


@pytest.mark.parametrize(
    "requirements",
    [
        None,
        {},
        {"technical_skills": [], "experience": 5},
        {
            "weights": dict.fromkeys(
                ("attitude", "communication", "technical", "strategic", "leadership", "english"),
                1,
            )
        },
    ],
)
def test_requirements_of_the_right_shape_are_accepted(requirements):
    validate_job_requirements(requirements)
