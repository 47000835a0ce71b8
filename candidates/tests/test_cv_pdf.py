"""PDF CVs built in the test: Spanish and English, one and two columns."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.cv import CVParseError, parse_cv
from candidates.cv.base import find_date_range, years_of_experience
from candidates.tests.cv_samples import (
    ENGLISH_ONE_COLUMN,
    MAIN_EN,
    MAIN_ES,
    SIDEBAR_EN,
    SIDEBAR_ES,
    SPANISH_ONE_COLUMN,
    pdf_encrypted,
    pdf_image_only,
    pdf_one_column,
    pdf_two_columns,
    plain_text,
)


def months_since(year: int, month: int) -> int:
    today = dt.date.today()
    return (today.year * 12 + today.month) - (year * 12 + month) + 1


def work_summary(data: dict) -> list[tuple]:
    return [(w["position"], w["company"], w["startDate"], w["endDate"]) for w in data["work"]]


def skill_names(data: dict) -> list[str]:
    return [s["name"] for s in data["skills"]]


def test_spanish_one_column_cv_is_parsed_into_every_section():
    parsed = parse_cv(pdf_one_column(SPANISH_ONE_COLUMN))
    data = parsed.data

    assert data["source"] == "pdf"
    assert data["basics"]["name"] == "Lucía Fernández García"
    assert data["basics"]["label"] == "Desarrolladora Backend"
    assert data["basics"]["email"] == "lucia.fernandez@example.com"
    assert data["basics"]["phone"] == "+34 600 123 456"
    assert data["basics"]["location"] == "Sevilla, España"
    assert data["basics"]["summary"] == "Ingeniera de software con foco en APIs y datos."
    assert work_summary(data) == [
        ("Desarrolladora Senior", "Acme Pagos S.L.", "2020-01", None),
        ("Programadora", "Beta Consulting", "2017-03", "2019-12"),
    ]
    assert "Kubernetes" in data["work"][0]["summary"]
    assert data["education"] == [
        {
            "institution": "Universidad de Sevilla",
            "area": "Ingeniería Informática",
            "studyType": "Grado",
            "startDate": "2012-01",
            "endDate": "2016-01",
        }
    ]
    assert skill_names(data) == [
        "Python",
        "Django",
        "ReactJS",
        "PostgreSQL",
        "Docker",
        "Computación en la nube",
    ]
    assert {"name": "ReactJS", "key": "react"} in data["skills"]
    assert data["languages"] == [
        {"language": "Español", "fluency": "nativo"},
        {"language": "Inglés", "fluency": "C1"},
    ]
    # 2017-03..2019-12 is 34 months, then January 2020 until this month.
    assert data["years_of_experience"] == round((34 + months_since(2020, 1)) / 12, 1)
    assert "Acme Pagos" in parsed.text
    assert parsed.extension == ".pdf"


def test_english_one_column_cv_continues_a_job_onto_the_next_page():
    # Page 2 starts in the middle of the experience section, without a heading.
    parsed = parse_cv(pdf_one_column(ENGLISH_ONE_COLUMN[:10], ENGLISH_ONE_COLUMN[10:]))
    data = parsed.data

    assert data["basics"]["name"] == "John Smith"
    assert data["basics"]["label"] == "Platform Engineer"
    assert work_summary(data) == [
        ("Platform Engineer", "Globex Corporation", "2018-01", None),
        ("Backend Developer", "Initech Ltd", "2015-06", "2017-12"),
    ]
    assert data["work"][1]["summary"] == "Built billing services in Go."
    assert data["education"][0]["institution"] == "University of Leeds"
    assert data["education"][0]["studyType"] == "BSc"
    assert data["education"][0]["area"] == "Computer Science"
    # "Languages: Go, ..." inside Skills is a category of skills, not spoken languages.
    assert skill_names(data) == ["Go", "Python", "TypeScript", "AWS", "Terraform", "k8s"]
    assert [s["key"] for s in data["skills"]][-1] == "kubernetes"
    assert data["languages"] == [
        {"language": "English", "fluency": "Native"},
        {"language": "Spanish", "fluency": "B2"},
    ]


@pytest.mark.parametrize("row_by_row", [True, False], ids=["row-by-row", "column-by-column"])
def test_spanish_two_column_cv_keeps_sidebar_and_main_column_apart(row_by_row):
    content = pdf_two_columns(SIDEBAR_ES, MAIN_ES, row_by_row=row_by_row)
    if row_by_row:
        # The trap: pypdf's plain extraction interleaves the columns line by line.
        assert "Habilidades feb. 2021" in plain_text(content)

    data = parse_cv(content).data

    assert data["basics"]["name"] == "Marta Ruiz Soler"
    assert data["basics"]["email"] == "marta.ruiz@example.com"
    assert work_summary(data) == [
        ("Ingeniera de Datos", "Datalia", "2021-02", None),
        ("Analista de Datos", "Consultora Norte", "2018-09", "2021-01"),
    ]
    assert data["work"][0]["summary"] == "Pipelines de datos con Airflow y dbt para banca."
    assert data["education"][0]["institution"] == "Universidad Politécnica de Madrid"
    assert data["education"][0]["studyType"] == "Máster"
    assert skill_names(data) == ["Python", "React.js", "Docker"]
    assert data["languages"] == [
        {"language": "Inglés", "fluency": "B2"},
        {"language": "Francés", "fluency": "A2"},
    ]


@pytest.mark.parametrize("row_by_row", [True, False], ids=["row-by-row", "column-by-column"])
def test_english_two_column_cv_under_a_full_width_name(row_by_row):
    content = pdf_two_columns(SIDEBAR_EN, MAIN_EN, header=["Tom Baker"], row_by_row=row_by_row)

    data = parse_cv(content).data

    assert data["basics"]["name"] == "Tom Baker"
    assert work_summary(data) == [
        ("Senior Android Developer", "Mobilo GmbH", "2019-03", None),
        ("Android Developer", "Appsy", "2016-07", "2019-02"),
    ]
    assert skill_names(data) == ["Kotlin", "Android", "Firebase"]
    assert [lang["language"] for lang in data["languages"]] == ["English", "German"]
    assert data["education"][0]["institution"] == "University of Bristol"


def test_a_one_column_cv_with_right_aligned_dates_is_not_taken_for_two_columns():
    content = pdf_one_column(
        [
            "Carlos Vega",
            "## Experience",
            "Acme Inc |> 2019 - 2023",
            "Software Engineer",
            "Beta Ltd |> 2016 - 2019",
            "Junior Developer",
            "## Skills",
            "Java, Spring",
        ]
    )

    data = parse_cv(content).data

    assert work_summary(data) == [
        ("Software Engineer", "Acme Inc", "2019-01", "2023-01"),
        ("Junior Developer", "Beta Ltd", "2016-01", "2019-01"),
    ]
    assert data["years_of_experience"] == 7.1  # Jan 2016 - Jan 2023, counted once


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("2019 - 2023", "2019-01", "2023-01"),
        ("2019\u20132023", "2019-01", "2023-01"),
        ("ene. 2020 \u2013 actualidad", "2020-01", None),
        ("Enero de 2020 - Marzo de 2022", "2020-01", "2022-03"),
        ("sept. 2018 — ene. 2021", "2018-09", "2021-01"),
        ("Jan 2018 - Present", "2018-01", None),
        ("June 2015 to Dec 2017", "2015-06", "2017-12"),
        ("03/2017 - 12/2019", "2017-03", "2019-12"),
        ("2017-03 \u2013 2019-12", "2017-03", "2019-12"),
        ("Desarrollador (2015 a 2018)", "2015-01", "2018-01"),
        ("dic 2021 - hasta la fecha", "2021-12", None),
    ],
)
def test_date_ranges_in_spanish_and_english_are_read(line, start, end):
    found = find_date_range(line)
    assert found is not None
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("line", ["+34 600 123 456", "Python 3, Django 4", "Lleva 2019 años"])
def test_things_that_are_not_date_ranges_are_not_read_as_one(line):
    assert find_date_range(line) is None


def test_years_of_experience_counts_overlapping_jobs_once():
    work = [
        {"startDate": "2015-01", "endDate": "2017-12"},  # 36 months
        {"startDate": "2016-06", "endDate": "2018-05"},  # overlaps: adds Jan-May 2018
        {"startDate": "2020-01", "endDate": "2020-12"},  # a separate year
        {"startDate": "2020-03", "endDate": "2020-04"},  # inside the previous one
    ]
    assert years_of_experience(work, today=dt.date(2026, 1, 15)) == round((41 + 12) / 12, 1)


def test_years_of_experience_counts_an_open_ended_job_until_today():
    work = [
        {"startDate": "2024-01", "endDate": None},
        {"startDate": "2023-01-15", "endDate": "2024-06-30"},
    ]
    assert years_of_experience(work, today=dt.date(2025, 12, 1)) == 3.0


def test_years_of_experience_leaves_out_periods_it_cannot_read():
    work = [
        {"startDate": None, "endDate": "2020-01"},
        {"startDate": "2021-05", "endDate": "2019-01"},  # ends before it starts
        {"startDate": "someday", "endDate": None},
        {"startDate": "2030-01", "endDate": None},  # starts in the future
        "not a job",
        {"startDate": "2019", "endDate": "2019"},
    ]
    assert years_of_experience(work, today=dt.date(2025, 1, 1)) == 0.1


def test_a_corrupt_pdf_is_refused():
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(b"%PDF-1.4\nthis is not really a pdf")
    assert excinfo.value.code == "pdf_corrupt"


def test_a_truncated_pdf_is_refused():
    content = pdf_one_column(SPANISH_ONE_COLUMN)
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(content[: len(content) // 3])
    assert excinfo.value.code == "pdf_corrupt"


def test_a_password_protected_pdf_is_refused(english):
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(pdf_encrypted(pdf_one_column(SPANISH_ONE_COLUMN)))
    assert excinfo.value.code == "pdf_encrypted"
    assert "password" in str(excinfo.value.message)


def test_a_pdf_with_only_an_owner_password_is_read():
    content = pdf_encrypted(pdf_one_column(SPANISH_ONE_COLUMN), user_password="")
    assert parse_cv(content).data["basics"]["name"] == "Lucía Fernández García"


def test_an_image_only_pdf_is_refused_as_a_scan(english):
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(pdf_image_only())
    assert excinfo.value.code == "pdf_no_text"
    assert "scanned image" in str(excinfo.value.message)


def test_a_blank_pdf_page_is_refused_as_a_scan():
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(pdf_one_column([]))
    assert excinfo.value.code == "pdf_no_text"


def test_technologies_listed_under_a_job_are_skills_and_the_job_list_goes_on():
    content = pdf_one_column(
        [
            "Elena Martín",
            "## Experiencia",
            "Desarrolladora Frontend — Tienda Online S.L. |> 2021 - actualidad",
            "Tecnologías: Vue.js, TypeScript",
            "Desarrolladora Junior — Agencia Web |> 2019 - 2021",
            "## Habilidades",
            "Git, Figma",
        ]
    )

    data = parse_cv(content).data

    assert [w["company"] for w in data["work"]] == ["Tienda Online S.L.", "Agencia Web"]
    assert data["work"][0]["summary"] == "Tecnologías: Vue.js, TypeScript"
    assert skill_names(data) == ["Vue.js", "TypeScript", "Git", "Figma"]
