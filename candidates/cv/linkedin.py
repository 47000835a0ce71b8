"""LinkedIn's data export: the zip ("Get a copy of your data") with one CSV per kind.

Only the CSVs a CV needs are read, each size-checked before it is decompressed, so
a zip bomb or a full export with messages costs nothing.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import PurePosixPath

from django.utils.translation import gettext_lazy as _

from candidates.cv.base import CVParseError, ParsedCV, cv_document, cv_plain_text, parse_date

PROFILE = "profile.csv"
POSITIONS = "positions.csv"
EDUCATION = "education.csv"
SKILLS = "skills.csv"
LANGUAGES = "languages.csv"
EMAILS = "email addresses.csv"
PHONES = "phonenumbers.csv"
WANTED = (PROFILE, POSITIONS, EDUCATION, SKILLS, LANGUAGES, EMAILS, PHONES)
# The CSVs a CV needs are a few kilobytes; more than this uncompressed is not one.
MAX_MEMBER_BYTES = 5 * 1024 * 1024


def _not_an_export(detail) -> CVParseError:
    return CVParseError(
        _(
            "This zip is not a LinkedIn data export (%(detail)s). It should contain "
            "Profile.csv, Positions.csv, Education.csv and Skills.csv."
        )
        % {"detail": detail},
        code="zip_not_linkedin",
    )


def parse_linkedin_export(content: bytes) -> ParsedCV:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = {}
        for info in archive.infolist():
            name = PurePosixPath(info.filename).name.casefold()
            if name in WANTED and not info.is_dir():
                members.setdefault(name, info)
        if "word/document.xml" in archive.namelist():
            raise CVParseError(
                _("Word documents are not supported: save the CV as PDF and upload that."),
                code="wrong_type",
            )
        if PROFILE not in members:
            raise _not_an_export(_("Profile.csv is missing"))
        tables = {name: _read_csv(archive, info) for name, info in members.items()}
    except CVParseError:
        raise
    except csv.Error as exc:
        # The csv module refuses a field over 128 KiB (csv.field_size_limit); a
        # LinkedIn export's fields are a few hundred characters.
        raise _not_an_export(_("a CSV file in it is malformed: %(e)s") % {"e": exc}) from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise CVParseError(
            _("This zip file is damaged and cannot be opened."), code="zip_corrupt"
        ) from exc
    profile = (tables.get(PROFILE) or [{}])[0]
    if not any(profile.get(k) for k in ("First Name", "Last Name", "Headline")):
        raise _not_an_export(_("Profile.csv has no name"))
    data = cv_document(
        source="linkedin",
        basics={
            "name": " ".join(p for p in (profile.get("First Name"), profile.get("Last Name")) if p),
            "label": profile.get("Headline"),
            "summary": profile.get("Summary"),
            "location": profile.get("Geo Location") or profile.get("Location"),
            "email": _first(tables.get(EMAILS), "Email Address", prefer=("Primary", "Yes")),
            "phone": _first(tables.get(PHONES), "Number"),
        },
        work=[
            {
                "company": row.get("Company Name"),
                "position": row.get("Title"),
                "startDate": parse_date(row.get("Started On")),
                "endDate": parse_date(row.get("Finished On")),
                "summary": row.get("Description"),
            }
            for row in tables.get(POSITIONS) or []
        ],
        education=[
            {
                "institution": row.get("School Name"),
                "area": row.get("Notes") if not row.get("Degree Name") else "",
                "studyType": row.get("Degree Name"),
                "startDate": parse_date(row.get("Start Date")),
                "endDate": parse_date(row.get("End Date")),
            }
            for row in tables.get(EDUCATION) or []
        ],
        skills=[row.get("Name") for row in tables.get(SKILLS) or []],
        languages=[
            {"language": row.get("Name"), "fluency": row.get("Proficiency")}
            for row in tables.get(LANGUAGES) or []
        ],
    )
    return ParsedCV(
        data=data, text=cv_plain_text(data), extension=".zip", content_type="application/zip"
    )


def _read_csv(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[dict]:
    if info.file_size > MAX_MEMBER_BYTES:
        raise _not_an_export(_("%(name)s is too large") % {"name": info.filename})
    raw = archive.read(info)
    if len(raw) > MAX_MEMBER_BYTES:  # the header can lie about the size
        raise _not_an_export(_("%(name)s is too large") % {"name": info.filename})
    text = raw.decode("utf-8-sig", errors="replace")
    lines = text.splitlines()
    start = 0
    # Some export files open with a "Notes:" paragraph, then a blank line, then the
    # header row.
    if lines and lines[0].lstrip('"').startswith("Notes:"):
        while start < len(lines) and lines[start].strip():
            start += 1
    while start < len(lines) and not lines[start].strip():
        start += 1
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    return [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _first(rows: list[dict] | None, column: str, prefer: tuple[str, str] | None = None) -> str:
    rows = [r for r in rows or [] if r.get(column)]
    if prefer:
        rows.sort(key=lambda r: r.get(prefer[0], "") != prefer[1])
    return rows[0][column] if rows else ""
