"""The one shape every CV source is turned into, and the rules shared by the parsers.

`cv_data` is close to JSON Resume 1.0 so a JSON Resume upload needs little mapping and
the analysis reads one structure whatever the source::

    {
      "basics": {"name", "email", "phone", "label", "summary", "location"},
      "work": [{"company", "position", "startDate", "endDate", "summary"}],
      "education": [{"institution", "area", "studyType", "startDate", "endDate"}],
      "skills": [{"name", "key"}],
      "languages": [{"language", "fluency"}],
      "source": "pdf" | "json_resume" | "linkedin",
      "parsed_at": "2026-01-01T00:00:00Z",
      "years_of_experience": 4.5,
    }

Dates are "YYYY-MM" or "YYYY-MM-DD" (a bare year becomes "YYYY-01"); an `endDate` of
None means "current". Unlike JSON Resume, `basics.location` is one display string
("Madrid, ES"): no consumer needs the parts, and PDFs and LinkedIn only give a string.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from candidates.skills import skill_key, strip_accents

SOURCES = ("pdf", "json_resume", "linkedin")

# A CV lists tens of skills; thousands means the parser read something that is not a
# skill list, and the `skill_keys` column should not balloon because of it.
MAX_SKILLS = 200
MAX_ENTRIES = 100
MAX_FIELD_CHARS = 2000
MAX_NAME_CHARS = 100


class CVParseError(Exception):
    """The upload cannot be turned into cv_data; `message` is shown next to the field."""

    def __init__(self, message, code: str) -> None:
        super().__init__(str(message))
        self.message = message  # lazy: rendered in the language of the request
        self.code = code


@dataclass(frozen=True)
class ParsedCV:
    """What a parser hands the service: the normalised data and what to store."""

    data: dict
    text: str
    extension: str  # ".pdf" | ".json" | ".zip": the stored file's name ends with it
    content_type: str


# --- Words --------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case without accents, one character per character of `text`, so a match
    found in the folded text has the same offsets in the original."""
    out = []
    for ch in text:
        folded = strip_accents(ch).casefold()
        out.append(folded if len(folded) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def fold_words(text: str) -> str:
    """The comparable form of a heading or a word list entry: folded, one space."""
    return " ".join(re.sub(r"[^\w+#./ ]+", " ", fold(text)).split())


@cache
def words() -> dict:
    """The es and en word lists merged: a Spanish CV may well use English headings."""
    merged: dict = {"headings": {}, "dates": {"months": {}}, "entries": {}}
    for path in sorted((Path(__file__).parent / "words").glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for section, names in data.get("headings", {}).items():
            merged["headings"].setdefault(section, set()).update(fold_words(n) for n in names)
        dates = data.get("dates", {})
        merged["dates"]["months"].update(
            {fold_words(k): int(v) for k, v in dates.get("months", {}).items()}
        )
        for key in ("present", "range_words"):
            merged["dates"].setdefault(key, set()).update(fold_words(w) for w in dates[key])
        for key, values in data.get("entries", {}).items():
            merged["entries"].setdefault(key, set()).update(
                fold(v) if key == "degree_connectors" else fold_words(v) for v in values
            )
    return merged


# --- Dates --------------------------------------------------------------------------


def _alternation(options) -> str:
    # Longest first so "septiembre" wins over "sep" and "hasta la fecha" over "hasta".
    return "|".join(re.escape(o) for o in sorted(options, key=len, reverse=True))


@cache
def _date_patterns() -> tuple[re.Pattern, re.Pattern]:
    w = words()["dates"]
    month = _alternation(w["months"])
    present = _alternation(w["present"])
    range_words = _alternation(w["range_words"])
    # Matched against folded text (lower case, no accents).
    date = (
        rf"(?:(?P<{{p}}iy>(?:19|20)\d\d)-(?P<{{p}}im>0[1-9]|1[0-2])(?:-(?P<{{p}}id>[0-3]\d))?"
        rf"|(?P<{{p}}nm>0?[1-9]|1[0-2])[/.](?P<{{p}}ny>(?:19|20)\d\d)"
        rf"|(?:(?P<{{p}}mn>{month})\.?,?\s+(?:de\s+|del\s+|of\s+)?)?(?P<{{p}}y>(?:19|20)\d\d))"
    )
    start = date.replace("{p}", "s_")
    end = date.replace("{p}", "e_")
    range_re = re.compile(
        rf"(?<![\w/.-])(?:{start})\s*(?:[-\u2010-\u2015~]+|\s(?:{range_words})\s)\s*"
        rf"(?:{end}|(?P<present>{present}))(?![\w/-])"
    )
    single_re = re.compile(rf"(?<![\w/.-])(?:{start})(?![\w/-])")
    return range_re, single_re


def _date_from_match(m: re.Match, prefix: str) -> str | None:
    g = m.groupdict()
    if g.get(f"{prefix}iy"):
        day = g.get(f"{prefix}id")
        return f"{g[prefix + 'iy']}-{g[prefix + 'im']}" + (f"-{day}" if day else "")
    if g.get(f"{prefix}ny"):
        return f"{g[prefix + 'ny']}-{int(g[prefix + 'nm']):02d}"
    if g.get(f"{prefix}y"):
        name = g.get(f"{prefix}mn")
        month = words()["dates"]["months"].get(name, 1) if name else 1
        return f"{g[prefix + 'y']}-{month:02d}"
    return None


@dataclass(frozen=True)
class DateRange:
    start: str | None
    end: str | None  # None: current
    span: tuple[int, int]  # where it was found in the line


def find_date_range(line: str) -> DateRange | None:
    """The first date range in a line: "2019 - 2023", "ene. 2020 - actualidad" (any dash),
    "Jan 2018 to Present", "03/2017 - 12/2019"."""
    range_re, _single = _date_patterns()
    m = range_re.search(fold(line))
    if not m:
        return None
    end = None if m.group("present") else _date_from_match(m, "e_")
    return DateRange(start=_date_from_match(m, "s_"), end=end, span=m.span())


def find_single_date(line: str) -> DateRange | None:
    """A lone date ("2016", "Jun 2016"): an education entry often gives only the end."""
    _range, single_re = _date_patterns()
    m = single_re.search(fold(line))
    if not m:
        return None
    return DateRange(start=None, end=_date_from_match(m, "s_"), span=m.span())


def parse_date(value) -> str | None:
    """A date as a source gives it ("2020-03-15", "2020", "Jan 2020", "03/2017") in the
    normalised form, or None for empty, "present" or something unreadable."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or is_present(text):
        return None
    _range, single_re = _date_patterns()
    m = single_re.fullmatch(fold(text).rstrip("."))
    if not m:
        # "2020-03-15T00:00:00" and the like: the calendar part is what counts.
        m = single_re.match(fold(text)[:10])
    return _date_from_match(m, "s_") if m else None


def is_present(text: str) -> bool:
    return fold_words(text) in words()["dates"]["present"]


def _month_index(date: str | None) -> int | None:
    m = re.match(r"^((?:19|20)\d\d)(?:-(\d\d))?", date or "")
    if not m:
        return None
    month = int(m.group(2) or 1)
    if not 1 <= month <= 12:
        return None
    return int(m.group(1)) * 12 + month - 1


def years_of_experience(work: list[dict], *, today: dt.date | None = None) -> float:
    """Years covered by the work periods, overlaps counted once, open-ended until today.

    Months are counted inclusively (Jan-Dec 2019 is one year) because CVs give the
    first and last month worked. A period without a readable start is left out rather
    than guessed; so is one that ends before it starts.
    """
    today = today or dt.date.today()
    now = today.year * 12 + today.month - 1
    periods = []
    for job in work or []:
        if not isinstance(job, dict):
            continue
        start = _month_index(job.get("startDate"))
        end = _month_index(job.get("endDate")) if job.get("endDate") else now
        if start is None or end is None:
            continue
        end = min(end, now)
        if start > end:
            continue
        periods.append((start, end + 1))
    months = 0
    current_start = current_end = None
    for start, end in sorted(periods):
        if current_end is None or start > current_end:
            if current_end is not None:
                months += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        months += current_end - current_start
    return round(months / 12, 1)


# --- The document -------------------------------------------------------------------


def clean_text(value, limit: int = MAX_FIELD_CHARS) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())[:limit]


def skill_entries(names) -> list[dict]:
    """`{"name", "key"}` per distinct key, in the order the CV gives them."""
    seen: set[str] = set()
    skills = []
    for name in names:
        name = clean_text(name, MAX_NAME_CHARS).strip(" .,;:·•-")
        key = skill_key(name)
        if not key or key in seen:
            continue
        seen.add(key)
        skills.append({"name": name, "key": key})
        if len(skills) >= MAX_SKILLS:
            break
    return skills


def cv_document(
    *,
    source: str,
    basics: dict,
    work: list[dict],
    education: list[dict],
    skills: list[str],
    languages: list[dict],
    today: dt.date | None = None,
) -> dict:
    """Assemble cv_data from what a parser found; every source ends here."""
    assert source in SOURCES, source
    work = [
        {
            "company": clean_text(job.get("company"), 300),
            "position": clean_text(job.get("position"), 300),
            "startDate": job.get("startDate"),
            "endDate": job.get("endDate"),
            "summary": clean_text(job.get("summary")),
        }
        for job in work[:MAX_ENTRIES]
    ]
    education = [
        {
            "institution": clean_text(item.get("institution"), 300),
            "area": clean_text(item.get("area"), 300),
            "studyType": clean_text(item.get("studyType"), 300),
            "startDate": item.get("startDate"),
            "endDate": item.get("endDate"),
        }
        for item in education[:MAX_ENTRIES]
    ]
    languages = [
        {
            "language": clean_text(item.get("language"), MAX_NAME_CHARS),
            "fluency": clean_text(item.get("fluency"), MAX_NAME_CHARS),
        }
        for item in languages[:MAX_ENTRIES]
        if clean_text(item.get("language"))
    ]
    return {
        "basics": {
            key: clean_text(basics.get(key), 300 if key != "summary" else MAX_FIELD_CHARS)
            for key in ("name", "email", "phone", "label", "summary", "location")
        },
        "work": work,
        "education": education,
        "skills": skill_entries(skills),
        "languages": languages,
        "source": source,
        "parsed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "years_of_experience": years_of_experience(work, today=today),
    }


def cv_plain_text(data: dict) -> str:
    """A readable text of structured sources (JSON Resume, LinkedIn) for full-text
    search, where a PDF keeps the text it was parsed from."""
    lines: list[str] = []
    basics = data.get("basics") or {}
    lines += [basics[k] for k in ("name", "label", "email", "phone", "location") if basics.get(k)]
    if basics.get("summary"):
        lines += ["", basics["summary"]]
    for job in data.get("work") or []:
        period = f"{job.get('startDate') or ''} - {job.get('endDate') or 'present'}"
        lines += ["", f"{job.get('position')} — {job.get('company')} ({period})"]
        if job.get("summary"):
            lines.append(job["summary"])
    for item in data.get("education") or []:
        degree = " ".join(p for p in (item.get("studyType"), item.get("area")) if p)
        lines += ["", f"{degree} — {item.get('institution')}"]
    if data.get("skills"):
        lines += ["", ", ".join(s["name"] for s in data["skills"])]
    if data.get("languages"):
        lines += [
            "",
            ", ".join(
                f"{lang['language']} ({lang['fluency']})" if lang["fluency"] else lang["language"]
                for lang in data["languages"]
            ),
        ]
    return "\n".join(lines).strip()
