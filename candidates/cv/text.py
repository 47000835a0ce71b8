"""Free CV text (what a PDF gives) to the parts of cv_data.

The text arrives as flows: one per page for a one-column layout, one per column for a
two-column one (see `pdf.py`). Headings (Spanish or English, from `words/*.toml`)
split each flow into sections; entries inside work and education are anchored on
their date ranges, because a date range is the one thing every CV layout puts on
each job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from candidates.cv.base import (
    DateRange,
    find_date_range,
    find_single_date,
    fold,
    fold_words,
    words,
)

SECTIONS = ("preamble", "summary", "work", "education", "skills", "languages", "other")
ENTRY_SECTIONS = ("work", "education")

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{7,18}\d(?!\w)")
URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|es|io|dev|org|net)/\S*", re.I)
BULLET_RE = re.compile(r"^[\s•·▪‣◦●○■□\-*\u2013\u2014>]+")
# Cells: layout extraction keeps wide gaps between things on one line (a company and
# its dates, a title and a city); three spaces never occur inside a phrase.
CELL_SPLIT_RE = re.compile(r"\s{3,}")
STRONG_SEPARATOR_RE = re.compile(r"\s{3,}|\s*\|\s*|\s+[·•\u2013\u2014]\s+|\s+-\s+")
AT_SEPARATOR_RE = re.compile(r"\s+(?:at|en|@)\s+", re.I)
COMPANY_SUFFIX_RE = re.compile(
    r"\b(?:s\.?l\.?u?|s\.?a\.?u?|inc|ltd|llc|gmbh|corp|corporation|plc|bv|ag|sas)\.?$", re.I
)
SKILL_SPLIT_RE = re.compile(r"\s*[,;|·•▪]\s*|\s{3,}|\s+[-\u2013\u2014]\s+")
LEVEL_RE = re.compile(r"\b(?:[abc][12])\b", re.I)
MAX_HEADER_CHARS = 90


@dataclass(frozen=True)
class Flow:
    """Text read in order: a page, or one column of a two-column block."""

    text: str
    column: str = "full"  # "full" | "left" | "right"


@dataclass
class Entry:
    parts: list[str]
    dates: DateRange
    ordered: bool = False  # "X at Y": the first part is known to be the position
    body_start: int = 0
    body: list[str] = field(default_factory=list)


def heading_of(line: str) -> tuple[str, str] | None:
    """(section, text after "Heading:") when the line is a section heading."""
    stripped = BULLET_RE.sub("", line).strip().strip("#=_*").strip()
    if not stripped or len(stripped) > 60:
        return None
    head, _sep, rest = stripped.partition(":")
    key = fold_words(head)
    for section, names in words()["headings"].items():
        if key in names:
            return section, rest.strip()
    return None


def split_sections(flows: list[Flow]) -> dict[str, list[str]]:
    """Lines per section. A flow that starts without a heading continues the section
    its column was in (a job running on to page 2); a column never continues the other
    column's section, so a sidebar's skills don't swallow the main column's name."""
    sections: dict[str, list[str]] = {name: [] for name in SECTIONS}
    last_any: str | None = None
    last_by_column: dict[str, str] = {}
    for flow in flows:
        current = last_any if flow.column == "full" else last_by_column.get(flow.column)
        current = current or "preamble"
        for raw in flow.text.splitlines():
            line = raw.strip()
            if not line:
                continue
            heading = heading_of(line)
            # "Languages: Go, Python" inside Skills labels programming languages; it
            # starts the spoken-languages section only if it names one.
            if (
                heading
                and heading[1]
                and current == "skills"
                and heading[0] != "skills"
                and not (heading[0] == "languages" and _names_spoken_language(heading[1]))
            ):
                heading = None
            if heading and heading[1] and heading[0] == "skills" and current in ENTRY_SECTIONS:
                # "Tecnologías: Python, Django" under a job lists that job's skills;
                # the job (and the section) goes on after it.
                sections["skills"].append(heading[1])
                heading = None
            if heading:
                current, rest = heading
                if rest:
                    sections[current].append(rest)
                continue
            sections[current].append(line)
        if current != "preamble":
            last_any = current
            last_by_column[flow.column] = current
    return sections


def _names_spoken_language(text: str) -> bool:
    known = words()["entries"]["languages"]
    return any(w in known for w in fold_words(text).split())


def cv_parts(flows: list[Flow]) -> dict:
    """The keyword arguments of `cv_document` found in the text."""
    sections = split_sections(flows)
    full_text = "\n".join(f.text for f in flows)
    return {
        "basics": _basics(sections, full_text),
        "work": [_work_item(e) for e in _entries(sections["work"], single_dates=False)],
        "education": [
            _education_item(e) for e in _entries(sections["education"], single_dates=True)
        ],
        "skills": _skills(sections["skills"]),
        "languages": _languages(sections["languages"]),
    }


# --- Basics -------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    # Contact lines run several items together: "ana@x.es · +34 600 000 000 · Sevilla".
    return [c.strip() for c in re.split(r"\s{3,}|\s+[·|•]\s+", line) if c.strip()]


def _looks_like_name(text: str) -> bool:
    if EMAIL_RE.search(text) or URL_RE.search(text) or re.search(r"\d", text):
        return False
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or len(text) > 60:
        return False
    return all(re.fullmatch(r"[^\W\d_]+(?:[-'\u2019.][^\W\d_]*)*\.?", t) for t in tokens)


def _is_contact(text: str) -> bool:
    return bool(EMAIL_RE.search(text) or URL_RE.search(text) or _phone_in(text))


def _phone_in(text: str) -> str:
    for m in PHONE_RE.finditer(text):
        candidate = m.group(0).strip()
        digits = re.sub(r"\D", "", candidate)
        if 9 <= len(digits) <= 15 and not find_date_range(candidate):
            return candidate
    return ""


def _basics(sections: dict[str, list[str]], full_text: str) -> dict:
    # The name, title and contact details sit before the first heading, or in a
    # "Contact" sidebar section of a two-column layout.
    head_lines = sections["preamble"] + sections["other"]
    cells = [c for line in head_lines for c in _cells(line)]
    name = label = location = ""
    for i, cell in enumerate(cells):
        if _looks_like_name(cell) and not heading_of(cell):
            name = cell.title() if cell.isupper() else cell
            following = cells[i + 1 : i + 2]
            if (
                following
                and not _is_contact(following[0])
                and len(following[0]) <= 80
                and not heading_of(following[0])
            ):
                label = following[0]
            break
    for cell in cells:
        if cell in (name, label) or _is_contact(cell) or re.search(r"\d", cell):
            continue
        if re.fullmatch(
            r"[^\W\d_][^\W\d_ .'-]*(?: [^\W\d_][^\W\d_.'-]*){0,3}, ?[^\W\d_][^\W\d_ .'-]+", cell
        ):
            location = cell
            break
    email = EMAIL_RE.search("\n".join(head_lines)) or EMAIL_RE.search(full_text)
    phone = _phone_in("\n".join(head_lines)) or _phone_in(full_text)
    return {
        "name": name,
        "label": label,
        "email": email.group(0) if email else "",
        "phone": phone,
        "location": location,
        "summary": " ".join(BULLET_RE.sub("", line) for line in sections["summary"]),
    }


# --- Work and education entries -------------------------------------------------------


def _is_bullet(line: str) -> bool:
    return bool(BULLET_RE.match(line)) and not re.match(r"^-?\d", line)


def _is_sentence(line: str) -> bool:
    # "Acme S.L." ends with a full stop too; a sentence has a few words before it.
    line = line.rstrip()
    return (
        line.endswith((".", ";")) and len(line.split()) >= 4 and not COMPANY_SUFFIX_RE.search(line)
    )


def _header_like(line: str) -> bool:
    return (
        len(line) <= MAX_HEADER_CHARS
        and not _is_bullet(line)
        and not _is_sentence(line)
        and not heading_of(line)
    )


def _split_header(text: str, *, work: bool = True) -> tuple[list[str], bool]:
    """A header line's parts ("Senior Developer — Acme S.L." -> two) and whether their
    order is known ("Developer at Acme": position first). A wide gap separates cells
    ("Developer, Acme   Madrid"): further cells only count when the first one gave
    a single part, since what stands apart on the right is mostly a city."""
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    cells = [c.strip(" |·•\u2013\u2014-,()[]:") for c in CELL_SPLIT_RE.split(text.strip())]
    cells = [c for c in cells if c]
    if not cells:
        return [], False
    first = cells[0]
    parts = [p.strip(" ,()") for p in STRONG_SEPARATOR_RE.split(first) if p.strip(" ,()")]
    ordered = False
    if len(parts) == 1:
        at_parts = [p.strip() for p in AT_SEPARATOR_RE.split(first, maxsplit=1) if p.strip()]
        if work and len(at_parts) == 2:
            parts, ordered = at_parts, True
        else:
            parts = [p.strip() for p in first.split(", ", 1) if p.strip()]
    if len(parts) == 1:
        parts += cells[1:2]
    return parts, ordered


def _anchor(line: str, *, single_dates: bool) -> DateRange | None:
    found = find_date_range(line)
    if found is None and single_dates:
        found = find_single_date(line)
        # A lone year inside a sentence ("led the 2020 migration") is not a period.
        if found and len(line) > MAX_HEADER_CHARS:
            return None
    return found


def _entries(lines: list[str], *, single_dates: bool) -> list[Entry]:
    work = not single_dates
    anchors = [
        (i, d) for i, line in enumerate(lines) if (d := _anchor(line, single_dates=single_dates))
    ]
    if not anchors:
        return []
    # Headers come either before their dates ("Acme / Developer / 2019 - 2023") or
    # after them ("2019 - 2023 / Developer, Acme"); the first entry shows which, since
    # nothing but its own header can stand before it.
    first_index = anchors[0][0]
    header_before = any(_header_like(line) for line in lines[:first_index])
    entries: list[Entry] = []
    used_until = -1  # lines up to here belong to an earlier entry's header or dates
    for k, (i, dates) in enumerate(anchors):
        next_anchor = anchors[k + 1][0] if k + 1 < len(anchors) else len(lines)
        line = lines[i]
        parts, ordered = _split_header(
            line[: dates.span[0]] + "   " + line[dates.span[1] :], work=work
        )
        body_start = i + 1
        if len(parts) < 2 and header_before:
            j = i - 1
            while j > used_until and len(parts) < 2 and _header_like(lines[j]):
                more, more_ordered = _split_header(lines[j], work=work)
                parts = more + parts
                ordered = ordered or more_ordered
                j -= 1
            if entries:
                # The lines taken as this entry's header are not the previous entry's
                # description any more.
                entries[-1].body = entries[-1].body[: max(0, j + 1 - entries[-1].body_start)]
        elif len(parts) < 2:
            j = i + 1
            while j < next_anchor and len(parts) < 2 and _header_like(lines[j]):
                more, more_ordered = _split_header(lines[j], work=work)
                parts += more
                ordered = ordered or more_ordered
                j += 1
            body_start = j
        entry = Entry(parts=parts, dates=dates, ordered=ordered, body_start=body_start)
        entry.body = lines[body_start:next_anchor]
        entries.append(entry)
        used_until = i
    return entries


def _has_word(text: str, vocabulary: set[str]) -> bool:
    folded = f" {fold_words(text)} "
    return any(f" {w} " in folded for w in vocabulary)


def _body_text(lines: list[str]) -> str:
    return " ".join(BULLET_RE.sub("", line).strip() for line in lines)


def _work_item(entry: Entry) -> dict:
    titles = words()["entries"]["job_titles"]
    parts = entry.parts[:2]
    position = company = ""
    if len(parts) == 2:
        first, second = parts
        if entry.ordered:
            position, company = first, second
        elif (_has_word(second, titles) and not _has_word(first, titles)) or (
            COMPANY_SUFFIX_RE.search(first) and not COMPANY_SUFFIX_RE.search(second)
        ):
            position, company = second, first
        else:
            position, company = first, second
    elif parts:
        if _has_word(parts[0], titles) and not COMPANY_SUFFIX_RE.search(parts[0]):
            position = parts[0]
        else:
            company = parts[0]
    return {
        "company": company,
        "position": position,
        "startDate": entry.dates.start,
        "endDate": entry.dates.end,
        "summary": _body_text(entry.body),
    }


def _education_item(entry: Entry) -> dict:
    institutions = words()["entries"]["institutions"]
    parts = entry.parts[:2]
    institution = degree = ""
    if len(parts) == 2:
        if _has_word(parts[0], institutions) and not _has_word(parts[1], institutions):
            institution, degree = parts
        else:
            degree, institution = parts
    elif parts:
        if _has_word(parts[0], institutions):
            institution = parts[0]
        else:
            degree = parts[0]
    study_type, area = _split_degree(degree)
    return {
        "institution": institution,
        "area": area,
        "studyType": study_type,
        "startDate": entry.dates.start,
        "endDate": entry.dates.end,
    }


def _split_degree(degree: str) -> tuple[str, str]:
    """Split a degree: "Grado en Ingeniería Informática" -> ("Grado", "Ingeniería Informática")."""
    folded = fold(degree)
    connectors = words()["entries"]["degree_connectors"]
    # " en " / " in " name the field more surely than " de " / " of ".
    for group in ((" en ", " in "), (" de ", " of ")):
        positions = [folded.find(c) for c in group if c in connectors and c in folded]
        if positions:
            at = min(positions)
            return degree[:at].strip(), degree[at + 4 :].strip()
    return "", degree.strip()


# --- Skills and languages ---------------------------------------------------------------


def _skills(lines: list[str]) -> list[str]:
    names: list[str] = []
    for line in lines:
        line = BULLET_RE.sub("", line)
        # "Lenguajes: Python, Go" -> the label is a category, not a skill.
        label, sep, rest = line.partition(":")
        if sep and len(label) <= 30 and rest.strip():
            line = rest
        for item in SKILL_SPLIT_RE.split(line):
            item = re.sub(r"\([^)]*\)", "", item).strip(" .·•-\u2013\u2014")
            if not item or len(item) > 50 or len(item.split()) > 5 or item.isdigit():
                continue
            names.append(item)
    return names


def _languages(lines: list[str]) -> list[dict]:
    known = words()["entries"]["languages"]
    items: list[dict] = []
    for line in lines:
        for item in re.split(r"\s*[,;|·•]\s*|\s{3,}", BULLET_RE.sub("", line)):
            item = item.strip()
            if not item:
                continue
            language, fluency = _language_item(item)
            if language and (fold_words(language) in known or len(language.split()) <= 2):
                items.append({"language": language, "fluency": fluency})
    return items


def _language_item(item: str) -> tuple[str, str]:
    m = re.match(
        r"^(?P<lang>[^:(\-\u2013\u2014]+?)\s*(?::|\(|\s[-\u2013\u2014]\s)\s*(?P<fluency>.*?)\)?\s*$",
        item,
    )
    if m:
        return m.group("lang").strip(), m.group("fluency").strip()
    tokens = item.split()
    if len(tokens) >= 2 and (
        fold_words(tokens[0]) in words()["entries"]["languages"] or LEVEL_RE.fullmatch(tokens[-1])
    ):
        return tokens[0], " ".join(tokens[1:])
    return item, ""
