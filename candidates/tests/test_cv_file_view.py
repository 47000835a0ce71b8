"""GET /candidates/<id>/cv/: the stored CV, to signed-in users, always as a download."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates.services import candidate_cv_upload
from candidates.tests.cv_samples import (
    SPANISH_ONE_COLUMN,
    json_bytes,
    json_resume,
    linkedin_zip,
    pdf_one_column,
)
from tests.factories import CandidateFactory


def cv_url(candidate) -> str:
    return reverse("candidates:cv_file", kwargs={"candidate_id": candidate.pk})


@pytest.fixture
def candidate_with_pdf(db):
    candidate = CandidateFactory(name="Lucía Fernández")
    content = pdf_one_column(SPANISH_ONE_COLUMN)
    candidate_cv_upload(candidate=candidate, uploaded_file=SimpleUploadedFile("Lucía.pdf", content))
    return candidate, content


def test_a_signed_in_user_downloads_the_cv_as_an_attachment(alice_client, candidate_with_pdf):
    candidate, content = candidate_with_pdf

    response = alice_client.get(candidate.cv_url)

    assert candidate.cv_url == cv_url(candidate)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="cv-lucia-fernandez.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_gets_no_file(client, candidate_with_pdf):
    candidate, content = candidate_with_pdf

    response = client.get(cv_url(candidate))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert content[:20] not in response.content


def test_a_deactivated_user_gets_no_file(client, dave, candidate_with_pdf):
    candidate, _content = candidate_with_pdf
    client.force_login(dave)
    response = client.get(cv_url(candidate))
    assert response.status_code != 200


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("cv.json", json_bytes(json_resume()), "application/json"),
        ("export.zip", linkedin_zip(), "application/zip"),
    ],
)
def test_json_and_zip_cvs_are_served_with_their_own_type(
    alice_client, db, name, content, content_type
):
    candidate = CandidateFactory()
    candidate_cv_upload(candidate=candidate, uploaded_file=SimpleUploadedFile(name, content))

    response = alice_client.get(cv_url(candidate))

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_stored_file_of_any_other_kind_is_served_as_opaque_bytes(alice_client, db):
    # Whatever reached storage by another path is never rendered as a page.
    candidate = CandidateFactory()
    candidate.cv_file.save("page.html", ContentFile(b"<script>alert(1)</script>"))

    response = alice_client.get(cv_url(candidate))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_candidate_without_a_cv_is_not_found(alice_client, db):
    candidate = CandidateFactory()
    assert alice_client.get(cv_url(candidate)).status_code == 404


def test_a_missing_file_is_not_found(alice_client, candidate_with_pdf):
    candidate, _content = candidate_with_pdf
    candidate.cv_file.storage.delete(candidate.cv_file.name)
    assert alice_client.get(cv_url(candidate)).status_code == 404


def test_an_unknown_candidate_is_not_found(alice_client, db):
    assert alice_client.get("/candidates/999999/cv/").status_code == 404
