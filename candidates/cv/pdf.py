"""PDF CVs: text extracted with pypdf, columns put back in reading order.

pypdf's plain extraction follows the content stream, and a two-column CV written row
by row comes out with the sidebar and the main column interleaved line by line
("Python   Senior Developer at Acme"). Layout extraction keeps each character where
it is on the page instead, so a column is a run of rows with a blank gutter at the
same place: we find that gutter and read each column top to bottom.
"""

from __future__ import annotations

import io
import logging
import re

from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader

from candidates.cv.base import CVParseError, ParsedCV, cv_document, find_date_range
from candidates.cv.text import Flow, cv_parts, heading_of

logger = logging.getLogger(__name__)

# A CV is a few pages; reading a 500-page PDF is work an upload should not trigger.
MAX_PAGES = 20
MAX_TEXT_CHARS = 200_000
# A gutter is looked for between these fractions of the widest row.
GUTTER_RANGE = (0.15, 0.85)
# Rows allowed to cross the gutter (a centred name or title over both columns).
MAX_CROSSING_ROWS = 0.2


def parse_pdf(content: bytes) -> ParsedCV:
    reader = _reader(content)
    flows: list[Flow] = []
    try:
        for page in reader.pages[:MAX_PAGES]:
            flows += page_flows(_page_layout_text(page))
    except CVParseError:
        raise
    except Exception as exc:
        # pypdf raises a zoo of exception types on damaged files (KeyError,
        # ValueError, its own PdfReadError...): each means "cannot read this".
        logger.info("PDF text extraction failed: %r", exc)
        raise _corrupt() from exc
    text = "\n\n".join(f.text for f in flows).strip()[:MAX_TEXT_CHARS]
    if len(re.findall(r"[^\W\d_]", text)) < 20:
        raise CVParseError(
            _(
                "This PDF has no text to read: it looks like a scanned image. Upload a "
                "PDF exported from a word processor, a JSON Resume or a LinkedIn export."
            ),
            code="pdf_no_text",
        )
    data = cv_document(source="pdf", **cv_parts(flows))
    return ParsedCV(data=data, text=text, extension=".pdf", content_type="application/pdf")


def _corrupt() -> CVParseError:
    return CVParseError(
        _("This PDF is damaged and cannot be read. Export it again and upload the new file."),
        code="pdf_corrupt",
    )


def _reader(content: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            # Only an owner password (a "no printing" flag) opens with an empty user
            # password; such a CV is readable and we read it.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise CVParseError(
                    _("This PDF is protected with a password. Upload a copy without the password."),
                    code="pdf_encrypted",
                )
        if len(reader.pages) == 0:
            raise _corrupt()
    except CVParseError:
        raise
    except Exception as exc:
        logger.info("PDF could not be opened: %r", exc)
        raise _corrupt() from exc
    return reader


def _page_layout_text(page) -> str:
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:
        # Layout mode needs font metrics some generators leave out; plain
        # extraction still gets the words, in stream order.
        return page.extract_text() or ""


# --- Columns ------------------------------------------------------------------------


def _rows(text: str) -> list[str]:
    rows = [row.rstrip() for row in text.splitlines()]
    filled = [r for r in rows if r.strip()]
    if not filled:
        return []
    indent = min(len(r) - len(r.lstrip()) for r in filled)
    return [r[indent:] for r in rows]


def _fits(row: str, gutter: int) -> bool:
    # Two blank characters before the split point: a phrase never has two spaces in a
    # row, so nothing is cut in the middle.
    return not row[max(0, gutter - 2) : gutter].strip()


def find_gutter(rows: list[str]) -> int | None:
    """Where the page splits into two columns, or None for a one-column page."""
    filled = [r for r in rows if r.strip()]
    if len(filled) < 4:
        return None
    width = max(len(r) for r in filled)
    best: tuple[int, int] | None = None  # (rows with text right of the gutter, gutter)
    for gutter in range(max(4, int(width * GUTTER_RANGE[0])), int(width * GUTTER_RANGE[1])):
        crossing = sum(1 for r in filled if not _fits(r, gutter))
        if crossing > MAX_CROSSING_ROWS * len(filled):
            continue
        right = sum(1 for r in filled if _fits(r, gutter) and r[gutter:].strip())
        if right >= 3 and (best is None or right > best[0]):
            best = (right, gutter)
    if best is None:
        return None
    gutter = best[1]
    if _is_two_columns(filled, gutter):
        return gutter
    return None


def _is_two_columns(filled: list[str], gutter: int) -> bool:
    """A blank gutter alone also appears on a one-column page with right-aligned
    dates ("Acme S.L.        2019 - 2023"); a real right column has a heading of its
    own, or rows of words that stand without anything on their left."""
    rows = [r for r in filled if _fits(r, gutter)]
    right_parts = [r[gutter:].strip() for r in rows if r[gutter:].strip()]
    if any(heading_of(part) for part in right_parts):
        return True
    alone = [
        r[gutter:].strip()
        for r in rows
        if r[gutter:].strip() and not r[:gutter].strip() and not find_date_range(r[gutter:])
    ]
    left_alone = [r for r in rows if r[:gutter].strip() and not r[gutter:].strip()]
    return len(alone) >= 3 and len(left_alone) >= 3


def _squeeze(row: str) -> str:
    # Keep wide gaps recognisable as cell breaks (three spaces) but not as wide.
    return re.sub(r"\s{3,}", "   ", row.strip())


def page_flows(text: str) -> list[Flow]:
    """One flow for a one-column page; for a two-column page, full-width rows (a
    centred header) as they come and each column block as a left and a right flow."""
    rows = _rows(text)
    gutter = find_gutter(rows)
    if gutter is None:
        body = "\n".join(_squeeze(r) for r in rows if r.strip())
        return [Flow(body)] if body else []
    flows: list[Flow] = []
    block: list[str] = []
    full: list[str] = []

    def close_block() -> None:
        if block:
            left = "\n".join(_squeeze(r[:gutter]) for r in block if r[:gutter].strip())
            right = "\n".join(_squeeze(r[gutter:]) for r in block if r[gutter:].strip())
            flows.extend(Flow(t, column) for t, column in ((left, "left"), (right, "right")) if t)
            block.clear()

    def close_full() -> None:
        if full:
            flows.append(Flow("\n".join(full)))
            full.clear()

    for row in rows:
        if not row.strip():
            continue
        if _fits(row, gutter):
            close_full()
            block.append(row)
        else:
            close_block()
            full.append(_squeeze(row))
    close_block()
    close_full()
    return flows
