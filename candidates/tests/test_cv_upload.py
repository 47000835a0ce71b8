"""The CV upload service: stored file, cv_data, search, and bad input changing nothing."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.cv import CVParseError
from candidates.models import Candidate
from candidates.services import candidate_create, candidate_cv_upload
from candidates.tests.cv_samples import (
    SPANISH_ONE_COLUMN,
    json_bytes,
    json_resume,
    linkedin_zip,
    pdf_encrypted,
    pdf_image_only,
    pdf_one_column,
)
from tests.factories import CandidateFactory


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(media_root: Path) -> set[str]:
    return {str(p.relative_to(media_root)) for p in Path(media_root).rglob("*") if p.is_file()}


@pytest.fixture
def candidate_with_cv(db, django_capture_on_commit_callbacks):
    candidate = CandidateFactory(name="Ana Torres", cv_data=None)
    with django_capture_on_commit_callbacks(execute=True):
        candidate_cv_upload(
            candidate=candidate, uploaded_file=upload("ana.json", json_bytes(json_resume()))
        )
    candidate.refresh_from_db()
    return candidate


def test_a_pdf_upload_is_stored_under_a_random_name_and_parsed(db, media_root):
    candidate = CandidateFactory(cv_data=None)

    candidate_cv_upload(
        candidate=candidate,
        uploaded_file=upload("Lucía CV <script>.pdf", pdf_one_column(SPANISH_ONE_COLUMN)),
    )

    candidate.refresh_from_db()
    month = timezone.now().strftime("%Y/%m")
    assert re.fullmatch(rf"cvs/{month}/[0-9a-f]{{32}}\.pdf", candidate.cv_file.name)
    assert (Path(media_root) / candidate.cv_file.name).read_bytes().startswith(b"%PDF-")
    assert candidate.cv_url == reverse("candidates:cv_file", kwargs={"candidate_id": candidate.pk})
    assert candidate.cv_data["source"] == "pdf"
    assert candidate.cv_data["basics"]["name"] == "Lucía Fernández García"
    assert "Acme Pagos" in candidate.cv_text
    assert "|react|" in candidate.skill_keys and "|postgresql|" in candidate.skill_keys


def test_the_type_is_told_by_content_not_by_the_file_name(db):
    candidate = CandidateFactory(cv_data=None)

    candidate_cv_upload(
        candidate=candidate, uploaded_file=upload("cv.json", pdf_one_column(SPANISH_ONE_COLUMN))
    )

    candidate.refresh_from_db()
    assert candidate.cv_data["source"] == "pdf"
    assert candidate.cv_file.name.endswith(".pdf")


def test_a_linkedin_export_upload_is_stored_as_a_zip(db):
    candidate = CandidateFactory(cv_data=None)
    candidate_cv_upload(candidate=candidate, uploaded_file=upload("export.zip", linkedin_zip()))
    candidate.refresh_from_db()
    assert candidate.cv_data["source"] == "linkedin"
    assert candidate.cv_file.name.endswith(".zip")
    assert "|go|" in candidate.skill_keys


def test_a_new_cv_replaces_the_old_file_once_committed(
    candidate_with_cv, media_root, django_capture_on_commit_callbacks
):
    old_name = candidate_with_cv.cv_file.name

    with django_capture_on_commit_callbacks(execute=True):
        candidate_cv_upload(
            candidate=candidate_with_cv,
            uploaded_file=upload("new.pdf", pdf_one_column(SPANISH_ONE_COLUMN)),
        )

    candidate_with_cv.refresh_from_db()
    assert candidate_with_cv.cv_data["source"] == "pdf"
    assert stored_files(media_root) == {candidate_with_cv.cv_file.name}
    assert candidate_with_cv.cv_file.name != old_name


def _encrypted() -> bytes:
    return pdf_encrypted(pdf_one_column(SPANISH_ONE_COLUMN))


def _zip_without_cv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Connections.csv", "First Name,Last Name\nA,B\n")
    return out.getvalue()


BAD_UPLOADS = {
    "corrupt-pdf": (
        "cv.pdf",
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
        "pdf_corrupt",
    ),
    "encrypted-pdf": ("cv.pdf", _encrypted, "pdf_encrypted"),
    "image-only-pdf": ("scan.pdf", pdf_image_only, "pdf_no_text"),
    "wrong-type": ("cv.pdf", lambda: b"<html><script>alert(1)</script></html>", "wrong_type"),
    "json-not-a-resume": ("cv.json", lambda: json_bytes({"name": "my-package"}), "json_not_resume"),
    "zip-without-expected-files": ("export.zip", _zip_without_cv, "zip_not_linkedin"),
    "empty-file": ("cv.pdf", lambda: b"", "empty"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_a_bad_upload_changes_nothing(case, candidate_with_cv, media_root):
    name, make, code = BAD_UPLOADS[case]
    before = Candidate.objects.values("cv_data", "cv_file", "cv_text", "cv_url", "skill_keys").get(
        pk=candidate_with_cv.pk
    )
    files_before = stored_files(media_root)

    with pytest.raises(CVParseError) as excinfo:
        candidate_cv_upload(candidate=candidate_with_cv, uploaded_file=upload(name, make()))

    assert excinfo.value.code == code
    after = Candidate.objects.values("cv_data", "cv_file", "cv_text", "cv_url", "skill_keys").get(
        pk=candidate_with_cv.pk
    )
    assert after == before
    assert stored_files(media_root) == files_before
    assert (Path(media_root) / before["cv_file"]).exists()


def test_an_oversized_upload_changes_nothing(candidate_with_cv, media_root, settings):
    content = pdf_one_column(SPANISH_ONE_COLUMN)
    settings.CV_MAX_UPLOAD_BYTES = len(content) - 1
    before = Candidate.objects.values("cv_data", "cv_file").get(pk=candidate_with_cv.pk)
    files_before = stored_files(media_root)

    with pytest.raises(CVParseError) as excinfo:
        candidate_cv_upload(candidate=candidate_with_cv, uploaded_file=upload("big.pdf", content))

    assert excinfo.value.code == "too_large"
    assert Candidate.objects.values("cv_data", "cv_file").get(pk=candidate_with_cv.pk) == before
    assert stored_files(media_root) == files_before


def test_creating_a_candidate_with_a_bad_cv_creates_nothing(db, media_root):
    with pytest.raises(CVParseError):
        candidate_create(name="Nadie", cv_upload=upload("cv.pdf", pdf_image_only()))
    assert not Candidate.objects.filter(name="Nadie").exists()
    assert stored_files(media_root) == set()


def test_search_finds_a_candidate_by_a_skill_spelled_differently_in_the_cv(db):
    # The CV says "ReactJS" and "Computación en la nube".
    candidate = candidate_create(
        name="Lucía Fernández", cv_upload=upload("cv.pdf", pdf_one_column(SPANISH_ONE_COLUMN))
    )
    other = candidate_create(
        name="Otro", cv_upload=upload("cv.json", json_bytes({"skills": ["Angular", "Java"]}))
    )

    assert list(Candidate.objects.with_skill("react.js")) == [candidate]
    assert list(Candidate.objects.with_skill("React")) == [candidate]
    assert list(Candidate.objects.search("react.js")) == [candidate]
    assert list(Candidate.objects.search("computacion en la nube")) == [candidate]
    assert list(Candidate.objects.with_skill("COMPUTACIÓN EN LA NUBE")) == [candidate]
    assert list(Candidate.objects.with_skill("angular")) == [other]
    assert not Candidate.objects.with_skill("vue").exists()
