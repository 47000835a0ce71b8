"""JSON Resume 1.0 documents (https://jsonresume.org/schema), mapped field by field.

The upload is checked to be a resume before anything is read from it: a JSON file
that is not one (a package.json, an export of something else) is refused with a
message rather than stored as an empty CV.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from candidates.cv.base import CVParseError, ParsedCV, cv_document, cv_plain_text, parse_date
from interview_companion.http import UnreadableJSON, json_parse


def _not_a_resume() -> CVParseError:
    return CVParseError(
        _(
            'This JSON file is not a JSON Resume: it needs a "basics" object, a '
            '"work" list or a "skills" list.'
        ),
        code="json_not_resume",
    )


def load_json(content: bytes) -> object:
    # json_parse reads UTF-8 with or without a BOM, and refuses what would fail later:
    # nesting past Python's parser, text no database column can store.
    try:
        return json_parse(content)
    except UnreadableJSON as exc:
        raise CVParseError(str(exc), code="json_invalid") from exc


def parse_json_resume(content: bytes) -> ParsedCV:
    document = load_json(content)
    if not isinstance(document, dict):
        raise _not_a_resume()
    expected = {"basics": dict, "work": list, "skills": list}
    present = [key for key in expected if key in document and document[key] is not None]
    if not present:
        raise _not_a_resume()
    for key in present:
        if not isinstance(document[key], expected[key]):
            raise CVParseError(
                _('This JSON Resume is malformed: "%(key)s" must be %(kind)s.')
                % {"key": key, "kind": _("an object") if expected[key] is dict else _("a list")},
                code="json_not_resume",
            )
    for key in ("education", "languages"):
        if document.get(key) is not None and not isinstance(document[key], list):
            raise CVParseError(
                _('This JSON Resume is malformed: "%(key)s" must be %(kind)s.')
                % {"key": key, "kind": _("a list")},
                code="json_not_resume",
            )
    data = cv_document(
        source="json_resume",
        basics=_basics(document.get("basics") or {}),
        work=[_work(item) for item in _objects(document.get("work"))],
        education=[_education(item) for item in _objects(document.get("education"))],
        skills=_skill_names(document.get("skills") or []),
        languages=[
            {"language": item.get("language"), "fluency": item.get("fluency")}
            for item in _objects(document.get("languages"))
        ],
    )
    return ParsedCV(
        data=data,
        text=cv_plain_text(data),
        extension=".json",
        content_type="application/json",
    )


def _objects(items) -> list[dict]:
    return [item for item in items or [] if isinstance(item, dict)]


def _location(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = [value.get(k) for k in ("city", "region", "countryCode")]
        return ", ".join(p for p in parts if isinstance(p, str) and p.strip())
    return ""


def _basics(basics: dict) -> dict:
    return {
        "name": basics.get("name"),
        "email": basics.get("email"),
        "phone": basics.get("phone"),
        "label": basics.get("label"),
        "summary": basics.get("summary"),
        "location": _location(basics.get("location")),
    }


def _summary(item: dict) -> str:
    # Highlights are where a JSON Resume puts most of what a job was about.
    highlights = [h for h in item.get("highlights") or [] if isinstance(h, str)]
    summary = item.get("summary") if isinstance(item.get("summary"), str) else ""
    return " ".join([summary, *highlights]).strip()


def _work(item: dict) -> dict:
    return {
        # 1.0 calls the employer "name"; the 0.x drafts and many generators "company".
        "company": item.get("name") or item.get("company"),
        "position": item.get("position"),
        "startDate": parse_date(item.get("startDate")),
        "endDate": parse_date(item.get("endDate")),
        "summary": _summary(item),
    }


def _education(item: dict) -> dict:
    return {
        "institution": item.get("institution"),
        "area": item.get("area"),
        "studyType": item.get("studyType"),
        "startDate": parse_date(item.get("startDate")),
        "endDate": parse_date(item.get("endDate")),
    }


def _skill_names(skills: list) -> list[str]:
    """A skill's keywords are the searchable skills ("Web": HTML, CSS, React), so
    each is listed beside the skill's own name."""
    names: list[str] = []
    for skill in skills:
        if isinstance(skill, str):
            names.append(skill)
        elif isinstance(skill, dict):
            if isinstance(skill.get("name"), str):
                names.append(skill["name"])
            names += [k for k in skill.get("keywords") or [] if isinstance(k, str)]
    return names
