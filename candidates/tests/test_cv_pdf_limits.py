"""The PDF reader's limits: small hostile files are refused with a message within
two seconds, and reading happens in a child process stopped at a time limit."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.cv import CVParseError, parse_cv
from candidates.cv.pdf import find_gutter
from candidates.models import Candidate
from candidates.tests.cv_samples import (
    SPANISH_ONE_COLUMN,
    pdf_one_column,
    pdf_overlapping_text,
    pdf_wide_tiny_text,
)


def refusal_in(seconds: float, content: bytes) -> CVParseError:
    started = time.monotonic()
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(content)
    assert time.monotonic() - started < seconds
    return excinfo.value


@pytest.mark.parametrize("pages", [1, 20])
def test_pages_of_tiny_text_8000_pt_wide_are_refused_within_two_seconds(english, pages):
    # One such page took 16.7 s to read before there were limits.
    error = refusal_in(2.0, pdf_wide_tiny_text(pages))

    assert error.code == "pdf_too_complex"
    assert "too large or too complex" in str(error.message)


def test_the_column_finder_reads_a_page_10000_characters_wide_in_a_fraction_of_a_second():
    # What layout extraction makes of the page above: slicing each row at each
    # possible gutter took 16 s here.
    rows = ["word a" + " " * 9_990 + "b"] * 1000
    started = time.monotonic()
    find_gutter(rows)
    assert time.monotonic() - started < 1.0


def test_a_page_of_ten_thousand_overlapping_text_shows_is_refused_by_its_operation_budget(
    english,
):
    # 1.8 KB; pypdf's layout extraction spent 4.5 s on it.
    error = refusal_in(2.0, pdf_overlapping_text(10_000))

    assert error.code == "pdf_too_complex"


def test_reading_that_outlasts_the_time_limit_is_stopped_with_a_message(english, settings):
    # Ten pages within every budget that still take about six seconds to read.
    settings.CV_PARSE_TIMEOUT_SECONDS = 1.0

    error = refusal_in(2.0, pdf_overlapping_text(1990, pages=10))

    assert error.code == "pdf_timeout"
    assert "takes too long" in str(error.message)


def test_an_ordinary_cv_is_read_in_the_child_as_before():
    parsed = parse_cv(pdf_one_column(SPANISH_ONE_COLUMN))
    assert parsed.data["basics"]["name"] == "Lucía Fernández García"
    assert parsed.data["source"] == "pdf"


@pytest.mark.django_db
def test_uploading_the_hostile_pdf_shows_the_message_by_the_field_within_two_seconds(
    alice_client, settings
):
    settings.LANGUAGE_CODE = "en"
    started = time.monotonic()
    response = alice_client.post(
        "/candidates/new/",
        {"name": "Ana Prueba", "cv": SimpleUploadedFile("cv.pdf", pdf_wide_tiny_text())},
    )

    assert time.monotonic() - started < 2.0
    assert response.status_code == 200
    assert "too large or too complex" in " ".join(response.context["form"].errors["cv"])
    assert not Candidate.objects.exists()
