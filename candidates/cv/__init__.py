"""CV parsing: an uploaded file in, normalised `cv_data` (see `base.py`) out.

The kind of file is told by its content, not its name: a PDF renamed .json is read
as a PDF, and an HTML page renamed .pdf is refused. Parsing writes nothing; the
service stores the file only once this has succeeded.
"""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from candidates.cv.base import CVParseError, ParsedCV, skill_entries, years_of_experience

__all__ = [
    "CVParseError",
    "ParsedCV",
    "detect_kind",
    "parse_cv",
    "parse_cv_upload",
    "skill_entries",
    "years_of_experience",
]

KINDS = ("pdf", "json_resume", "linkedin")


def detect_kind(content: bytes) -> str | None:
    head = content[:1024]
    # The PDF header may follow a little junk; readers accept it within 1 KiB.
    if b"%PDF-" in head:
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        return "linkedin"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")):
        return "json_resume"
    return None


def parse_cv(content: bytes) -> ParsedCV:
    """Parse a CV file's bytes or raise CVParseError with a message for the user."""
    limit = settings.CV_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise _too_large(limit)
    if not content.strip():
        raise CVParseError(_("The file is empty."), code="empty")
    kind = detect_kind(content)
    # Each parser is imported when its kind arrives (not for a cycle): pypdf and
    # the CSV/zip readers cost start-up time for a process that never parses a CV.
    if kind == "pdf":
        from candidates.cv.pdf import parse_pdf

        return parse_pdf(content)
    if kind == "json_resume":
        from candidates.cv.json_resume import parse_json_resume

        return parse_json_resume(content)
    if kind == "linkedin":
        from candidates.cv.linkedin import parse_linkedin_export

        return parse_linkedin_export(content)
    raise CVParseError(
        _(
            "This type of file is not supported. Upload a PDF, a JSON Resume (.json) or "
            "a LinkedIn data export (.zip)."
        ),
        code="wrong_type",
    )


def parse_cv_upload(uploaded_file) -> ParsedCV:
    """Parse a Django UploadedFile, refusing an oversized one before reading it."""
    limit = settings.CV_MAX_UPLOAD_BYTES
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise _too_large(limit)
    uploaded_file.seek(0)
    # One byte over the limit is enough to know it is too large.
    content = uploaded_file.read(limit + 1)
    uploaded_file.seek(0)
    return parse_cv(content)


def _too_large(limit: int) -> CVParseError:
    return CVParseError(
        _("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)},
        code="too_large",
    )
