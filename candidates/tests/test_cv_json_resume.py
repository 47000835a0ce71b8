"""JSON Resume 1.0 uploads."""

from __future__ import annotations

import pytest

from candidates.cv import CVParseError, parse_cv
from candidates.tests.cv_samples import json_bytes, json_resume


def test_a_json_resume_maps_onto_cv_data():
    parsed = parse_cv(json_bytes(json_resume()))
    data = parsed.data

    assert data["source"] == "json_resume"
    assert data["basics"] == {
        "name": "Ana Torres",
        "email": "ana@example.com",
        "phone": "+34 699 000 111",
        "label": "Full-stack developer",
        "summary": "Full-stack developer.",
        "location": "Valencia, Valencia, ES",
    }
    assert data["work"] == [
        {
            "company": "Acme",
            "position": "Frontend Developer",
            "startDate": "2016-01-01",
            "endDate": "2019-12-31",
            "summary": "Built the shop. Moved the shop to React",
        },
        {
            "company": "Globex",
            "position": "Full-stack Developer",
            "startDate": "2019-06",
            "endDate": None,
            "summary": "Still here.",
        },
    ]
    assert data["education"] == [
        {
            "institution": "Universitat de València",
            "area": "Informática",
            "studyType": "Grado",
            "startDate": "2011-01",
            "endDate": "2015-01",
        }
    ]
    # A skill's keywords are skills too; "Node.js" keys as "node".
    assert data["skills"] == [
        {"name": "Frontend", "key": "frontend"},
        {"name": "ReactJS", "key": "react"},
        {"name": "TypeScript", "key": "typescript"},
        {"name": "CSS", "key": "css"},
        {"name": "Node.js", "key": "node"},
    ]
    assert data["languages"] == [{"language": "Spanish", "fluency": "Native speaker"}]
    assert data["years_of_experience"] > 9  # 2016 onwards, the overlap counted once
    assert "Globex" in parsed.text and "ReactJS" in parsed.text
    assert (parsed.extension, parsed.content_type) == (".json", "application/json")


def test_a_resume_with_only_skills_is_enough():
    data = parse_cv(json_bytes({"skills": ["Go", "golang", "Rust"]})).data
    assert [s["key"] for s in data["skills"]] == ["go", "rust"]
    assert data["work"] == [] and data["years_of_experience"] == 0


def test_the_older_company_field_and_a_byte_order_mark_are_accepted():
    document = {"work": [{"company": "Initech", "position": "Dev", "startDate": "2020-02"}]}
    data = parse_cv(b"\xef\xbb\xbf" + json_bytes(document)).data
    assert data["work"][0]["company"] == "Initech"


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"name": "package", "version": "1.0.0", "dependencies": {}},
        [{"basics": {"name": "In a list"}}],
        {"basics": None, "work": None},
    ],
    ids=["empty-object", "package-json", "a-list", "all-null"],
)
def test_json_that_is_not_a_resume_is_refused(document, english):
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(json_bytes(document))
    assert excinfo.value.code == "json_not_resume"
    assert "JSON Resume" in str(excinfo.value.message)


@pytest.mark.parametrize(
    ("document", "key"),
    [
        ({"basics": "Ana"}, "basics"),
        ({"work": {"name": "Acme"}}, "work"),
        ({"basics": {"name": "Ana"}, "skills": "Python"}, "skills"),
        ({"basics": {"name": "Ana"}, "education": "Grado"}, "education"),
    ],
)
def test_resume_sections_of_the_wrong_type_are_refused_by_name(document, key):
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(json_bytes(document))
    assert f'"{key}"' in str(excinfo.value.message)


@pytest.mark.parametrize("content", [b'{"basics": {"name": "Ana"', b"{\xff\xfe}"])
def test_invalid_json_is_refused(content):
    with pytest.raises(CVParseError) as excinfo:
        parse_cv(content)
    assert excinfo.value.code == "json_invalid"
