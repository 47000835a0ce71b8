"""PDF CVs: text extracted with pypdf, columns put back in reading order.

pypdf's plain extraction follows the content stream, and a two-column CV written row
by row comes out with the sidebar and the main column interleaved line by line
("Python   Senior Developer at Acme"). Layout extraction keeps each character where
it is on the page instead, so a column is a run of rows with a blank gutter at the
same place: we find that gutter and read each column top to bottom.

Reading runs in a child process (`worker.py`) with a wall-clock limit and CPU and
memory caps: pypdf does whatever a content stream says, and a 6 KB page once kept
this module busy for 16 s. `read_pdf` is what the child runs; it needs no Django
settings and says why it refuses with a code (`PDFRefused`), which `parse_pdf`, in
the server, turns into a message in the request's language.
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
# Layout text of one page, spaces included. A dense A3 landscape page of 5 pt text
# is about 52,000 characters; a page 8,000 pt wide set in 1 pt type is 10 million.
MAX_PAGE_LAYOUT_CHARS = 200_000
# Content-stream operations: a CV page exported from a word processor or LaTeX has a
# few thousand. pypdf's layout mode slows down with their square when text overlaps
# (10,000 text shows at one spot, a 1.8 KB file, took 4.5 s).
MAX_PAGE_OPERATIONS = 10_000
MAX_OPERATIONS = 60_000
# A gutter is looked for between these fractions of the widest row.
GUTTER_RANGE = (0.15, 0.85)
# Rows allowed to cross the gutter (a centred name or title over both columns).
MAX_CROSSING_ROWS = 0.2

REFUSALS = ("corrupt", "encrypted", "no_text", "too_complex", "timeout")


class PDFRefused(Exception):
    """The PDF cannot be read; `code` is one of REFUSALS."""

    def __init__(self, code: str) -> None:
        assert code in REFUSALS, code
        super().__init__(code)
        self.code = code


def parse_pdf(content: bytes) -> ParsedCV:
    """Read a PDF CV in a child process; CVParseError with a message if it cannot be."""
    from candidates.cv.worker import read_pdf_in_child

    try:
        result = read_pdf_in_child(content)
    except PDFRefused as exc:
        raise refusal(exc.code) from exc
    return ParsedCV(
        data=result["data"],
        text=result["text"],
        extension=".pdf",
        content_type="application/pdf",
    )


def refusal(code: str) -> CVParseError:
    """The message for a PDFRefused code, in the request's language."""
    if code == "encrypted":
        message = _("This PDF is protected with a password. Upload a copy without the password.")
    elif code == "no_text":
        message = _(
            "This PDF has no text to read: it looks like a scanned image. Upload a "
            "PDF exported from a word processor, a JSON Resume or a LinkedIn export."
        )
    elif code in ("too_complex", "timeout"):
        message = _(
            "This PDF is too large or too complex to read as a CV (its pages hold too "
            "much text, or reading it takes too long). Export it again from a word "
            "processor, or upload a JSON Resume or a LinkedIn export."
        )
    else:
        message = _(
            "This PDF is damaged and cannot be read. Export it again and upload the new file."
        )
    return CVParseError(message, code=f"pdf_{code}")


def read_pdf(content: bytes) -> dict:
    """`{"data": cv_data, "text": text}` of a PDF CV, or PDFRefused. Runs in the child."""
    reader = _reader(content)
    flows: list[Flow] = []
    chars = operations = 0
    try:
        for page in reader.pages[:MAX_PAGES]:
            page_operations = _operations(page)
            operations += page_operations
            if page_operations > MAX_PAGE_OPERATIONS or operations > MAX_OPERATIONS:
                raise PDFRefused("too_complex")
            layout = _page_layout_text(page)
            if len(layout) > MAX_PAGE_LAYOUT_CHARS:
                raise PDFRefused("too_complex")
            for flow in page_flows(layout):
                # What the sections and entries are read from is bounded too.
                if chars < MAX_TEXT_CHARS:
                    flows.append(Flow(flow.text[: MAX_TEXT_CHARS - chars], flow.column))
                chars += len(flow.text)
    except PDFRefused:
        raise
    except MemoryError as exc:
        raise PDFRefused("too_complex") from exc
    except Exception as exc:
        # pypdf raises a zoo of exception types on damaged files (KeyError,
        # ValueError, its own PdfReadError...): each means "cannot read this".
        logger.info("PDF text extraction failed: %r", exc)
        raise PDFRefused("corrupt") from exc
    text = "\n\n".join(f.text for f in flows).strip()[:MAX_TEXT_CHARS]
    if len(re.findall(r"[^\W\d_]", text)) < 20:
        raise PDFRefused("no_text")
    return {"data": cv_document(source="pdf", **cv_parts(flows)), "text": text}


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
                raise PDFRefused("encrypted")
        if len(reader.pages) == 0:
            raise PDFRefused("corrupt")
    except PDFRefused:
        raise
    except MemoryError as exc:
        raise PDFRefused("too_complex") from exc
    except Exception as exc:
        logger.info("PDF could not be opened: %r", exc)
        raise PDFRefused("corrupt") from exc
    return reader


def _operations(page) -> int:
    # Parsing the stream costs about 9 us an operation; extraction parses it again.
    # Operations inside form XObjects are not counted: the child's time limit is
    # what bounds those.
    contents = page.get_contents()
    return 0 if contents is None else len(contents.operations)


def _page_layout_text(page) -> str:
    try:
        return page.extract_text(extraction_mode="layout")
    except MemoryError:
        raise
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
    """Where the page splits into two columns, or None for a one-column page.

    A gutter g fits a row when the row's characters g-2 and g-1 are blank. Counting
    that by slicing every row at every g was rows x width x width work (16 s for one
    page 10,000 characters wide); each run of non-blank characters [a, b) instead
    crosses exactly the gutters a+1 .. b+1, added up with difference arrays, so the
    work is one pass over the rows' words.
    """
    filled = [r for r in rows if r.strip()]
    if len(filled) < 4:
        return None
    width = max(len(r) for r in filled)
    crossing = [0] * (width + 3)  # rows that do not fit gutter g
    crossing_before_end = [0] * (width + 3)  # ... of those, rows with text at g or after
    longer = [0] * (width + 3)  # rows with text at g or after (rows are right-stripped)
    for row in filled:
        end = len(row.rstrip())
        longer[0] += 1
        longer[end] -= 1
        for run in re.finditer(r"\S+", row):
            first, last = run.start() + 1, run.end() + 1
            crossing[first] += 1
            crossing[last + 1] -= 1
            last = min(last, end - 1)
            if first <= last:
                crossing_before_end[first] += 1
                crossing_before_end[last + 1] -= 1
    best: tuple[int, int] | None = None  # (rows with text right of the gutter, gutter)
    crosses = crosses_before_end = longer_than = 0
    low, high = max(4, int(width * GUTTER_RANGE[0])), int(width * GUTTER_RANGE[1])
    for gutter in range(high):
        crosses += crossing[gutter]
        crosses_before_end += crossing_before_end[gutter]
        longer_than += longer[gutter]
        if gutter < low or crosses > MAX_CROSSING_ROWS * len(filled):
            continue
        right = longer_than - crosses_before_end
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
