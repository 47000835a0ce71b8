"""Pages and files with a candidate's personal data say `Cache-Control: no-store`, so
neither a shared proxy nor the browser's disk cache keeps a copy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.services import candidate_cv_upload
from candidates.tests.cv_samples import SPANISH_ONE_COLUMN, pdf_one_column
from tests.factories import ScorecardFactory

pytestmark = pytest.mark.django_db

PERSONAL = [
    "/interviews/{interview}/report.pdf",
    "/interviews/{interview}/report/",
    "/interviews/{interview}/scorecard/history/",
    "/scorecards/export.csv",
    "/candidates/{candidate}/cv/",
    "/candidates/{candidate}/export/",
    "/candidates/",
    "/candidates/{candidate}/",
    "/candidates/{candidate}/edit/",
    "/positions/{position}/",
    "/interviews/{interview}/",
    "/interviews/{interview}/transcript/?before=999",
    "/interviews/{interview}/live/",
    "/compare/?c={candidate}",
]


@pytest.fixture
def scored(charlie, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    card = ScorecardFactory(interview__status="completed")
    interview = card.interview
    candidate_cv_upload(
        candidate=interview.candidate,
        uploaded_file=SimpleUploadedFile("cv.pdf", pdf_one_column(SPANISH_ONE_COLUMN)),
    )
    return interview


@pytest.mark.parametrize("path", PERSONAL)
def test_personal_pages_and_files_are_not_stored_by_any_cache(client, charlie, scored, path):
    client.force_login(charlie)
    url = path.format(
        interview=scored.pk, candidate=scored.candidate_id, position=scored.job_position_id
    )

    response = client.get(url)

    assert response.status_code == 200, (url, response.status_code)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert "no-store" in directives, (url, response["Cache-Control"])
