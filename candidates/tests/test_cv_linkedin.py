"""LinkedIn data export zips built in the test."""

from __future__ import annotations

import io
import zipfile

import pytest

from candidates.cv import CVParseError, parse_cv
from candidates.cv import linkedin as linkedin_module
from candidates.tests.cv_samples import LINKEDIN_FILES, linkedin_zip


def test_a_linkedin_export_maps_onto_cv_data():
    parsed = parse_cv(linkedin_zip())
    data = parsed.data

    assert data["source"] == "linkedin"
    assert data["basics"]["name"] == "Pablo Gómez"
    assert data["basics"]["label"] == "Backend Engineer | Python · Go"
    assert data["basics"]["location"] == "Bilbao, Basque Country, Spain"
    assert data["basics"]["email"] == "pablo@example.com"  # the primary address
    assert [(w["company"], w["position"], w["startDate"], w["endDate"]) for w in data["work"]] == [
        ("Norte Tech", "Backend Engineer", "2020-01", None),
        ("Sur Data", "Developer", "2015-03", "2020-02"),
    ]
    assert data["work"][0]["summary"] == "APIs in Python and Go. On-call for payments."
    assert data["education"] == [
        {
            "institution": "Universidad de Deusto",
            "area": "",
            "studyType": "Grado en Ingeniería Informática",
            "startDate": "2010-01",
            "endDate": "2014-01",
        }
    ]
    assert data["skills"] == [
        {"name": "Python", "key": "python"},
        {"name": "Golang", "key": "go"},
        {"name": "Postgres", "key": "postgresql"},
    ]
    assert data["languages"][0] == {
        "language": "Spanish",
        "fluency": "Native or bilingual proficiency",
    }
    assert data["years_of_experience"] >= 10.5  # March 2015 onwards without a gap
    assert "Norte Tech" in parsed.text
    assert (parsed.extension, parsed.content_type) == (".zip", "application/zip")


def test_an_export_in_a_folder_and_without_optional_files_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("Basic_LinkedInDataExport/Profile.csv", "First Name,Last Name\nEva,Lo\n")
        archive.writestr("Basic_LinkedInDataExport/Skills.csv", "Name\nVue.js\n")
    data = parse_cv(out.getvalue()).data
    assert data["basics"]["name"] == "Eva Lo"
    assert data["skills"] == [{"name": "Vue.js", "key": "vue"}]
    assert data["work"] == []


def test_a_zip_without_profile_csv_is_refused(english):
    files = {k: v for k, v in LINKEDIN_FILES.items() if k != "Profile.csv"}
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(linkedin_zip(files))
    assert excinfo.value.code == "zip_not_linkedin"
    assert "Profile.csv" in str(excinfo.value.message)


def test_a_zip_of_something_else_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/beach.jpg", b"\xff\xd8\xff")
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(out.getvalue())
    assert excinfo.value.code == "zip_not_linkedin"


def test_a_word_document_is_refused_with_a_hint_to_use_pdf(english):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(out.getvalue())
    assert excinfo.value.code == "wrong_type"
    assert "PDF" in str(excinfo.value.message)


def test_a_damaged_zip_is_refused():
    content = linkedin_zip()
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(content[: len(content) // 2])
    assert excinfo.value.code == "zip_corrupt"


def test_an_oversized_member_is_refused_before_it_is_decompressed(monkeypatch, english):
    monkeypatch.setattr(linkedin_module, "MAX_MEMBER_BYTES", 2000)
    many = [{"Name": f"Skill number {i}"} for i in range(500)]
    content = linkedin_zip({**LINKEDIN_FILES, "Skills.csv": many})
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(content)
    assert "too large" in str(excinfo.value.message)
