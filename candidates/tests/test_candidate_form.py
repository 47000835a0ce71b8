"""CandidateForm: details, Jira key, and a CV upload whose errors show on the field."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from candidates.forms import CandidateForm
from candidates.models import Candidate
from candidates.tests.cv_samples import (
    SPANISH_ONE_COLUMN,
    json_bytes,
    json_resume,
    pdf_encrypted,
    pdf_image_only,
    pdf_one_column,
)
from tests.factories import CandidateFactory


def form(data: dict, cv: bytes | None = None, name: str = "cv.pdf", instance=None):
    files = {"cv": SimpleUploadedFile(name, cv)} if cv is not None else {}
    return CandidateForm(data=data, files=files, instance=instance)


@pytest.mark.django_db
def test_a_new_candidate_is_created_with_the_parsed_cv():
    f = form(
        {"name": "Lucía Fernández", "email": "lucia@example.com", "jira_ticket": "rec-12"},
        pdf_one_column(SPANISH_ONE_COLUMN),
    )

    assert f.is_valid(), f.errors
    candidate = f.save()

    candidate.refresh_from_db()
    assert candidate.name == "Lucía Fernández"
    assert candidate.jira_ticket == "REC-12"  # typed in lower case, stored as Jira has it
    assert candidate.cv_data["source"] == "pdf"
    assert candidate.cv_file.name.endswith(".pdf")
    assert Candidate.objects.with_skill("react.js").get() == candidate


@pytest.mark.django_db
def test_a_candidate_can_be_created_without_a_cv():
    f = form({"name": "Sin CV", "email": "", "phone": "", "jira_ticket": ""})
    assert f.is_valid(), f.errors
    candidate = f.save()
    candidate.refresh_from_db()
    assert (candidate.email, candidate.jira_ticket, candidate.cv_data) == (None, None, None)
    assert not candidate.cv_file


@pytest.mark.django_db
@pytest.mark.parametrize("ticket", ["ABC123", "123-ABC", "ABC-0", "A-1 ", "ABC-12; DROP"])
def test_a_jira_ticket_that_is_not_an_issue_key_is_refused(ticket):
    f = form({"name": "X", "jira_ticket": ticket})
    assert not f.is_valid()
    assert "jira_ticket" in f.errors


@pytest.mark.django_db
def test_an_unreadable_cv_is_reported_next_to_the_file_field_and_nothing_is_saved():
    with translation.override("en"):
        f = form({"name": "Escaneado"}, pdf_image_only(), name="scan.pdf")
        assert not f.is_valid()
        assert "scanned image" in f.errors["cv"][0]
    assert not Candidate.objects.filter(name="Escaneado").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "Este PDF está protegido con contraseña"),
        ("en", "This PDF is protected with a password"),
    ],
)
def test_the_cv_error_is_shown_in_the_language_of_the_session(language, message):
    # Needs the compiled catalogue (manage.py compilemessages, as CI runs it).
    with translation.override(language):
        f = form({"name": "X"}, pdf_encrypted(pdf_one_column(SPANISH_ONE_COLUMN)))
        assert not f.is_valid()
        assert f.errors["cv"][0].startswith(message)


@pytest.mark.django_db
def test_editing_a_candidate_with_a_bad_cv_keeps_the_previous_one():
    candidate = CandidateFactory(name="Ana")
    first = form({"name": "Ana"}, json_bytes(json_resume()), name="ana.json", instance=candidate)
    assert first.is_valid(), first.errors
    first.save()
    candidate.refresh_from_db()
    previous = (candidate.cv_data, candidate.cv_file.name)

    second = form(
        {"name": "Ana Torres"}, json_bytes({"not": "a resume"}), name="x.json", instance=candidate
    )

    assert not second.is_valid()
    assert "cv" in second.errors
    candidate.refresh_from_db()
    assert candidate.name == "Ana"
    assert (candidate.cv_data, candidate.cv_file.name) == previous


@pytest.mark.django_db
def test_editing_details_without_a_new_cv_keeps_the_cv():
    candidate = CandidateFactory(name="Ana")
    first = form({"name": "Ana"}, json_bytes(json_resume()), name="a.json", instance=candidate)
    assert first.is_valid(), first.errors
    first.save()
    candidate.refresh_from_db()
    stored = candidate.cv_file.name

    f = form({"name": "Ana Torres", "phone": "+34 600 000 000"}, instance=candidate)
    assert f.is_valid(), f.errors
    f.save()

    candidate.refresh_from_db()
    assert (candidate.name, candidate.phone) == ("Ana Torres", "+34 600 000 000")
    assert candidate.cv_file.name == stored
    assert candidate.cv_data["source"] == "json_resume"
