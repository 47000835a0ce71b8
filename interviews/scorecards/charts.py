"""Server-rendered SVG charts: no JavaScript, so they work under the strict CSP,
in the printable report and in the PDF (WeasyPrint draws inline SVG).

The radar chart draws the six scorecard dimensions on a 1-10 scale, one polygon
per series, so the scorecard panel (one series) and the compare page (several
candidates) share it:

    radar_svg([RadarSeries("Lucía", card.dimension_scores())])
    radar_svg([RadarSeries(c.name, c.scores) for c in rows], size=320)

A dimension without a score (no evidence) sits at the centre and its axis label
says "n/a", so an empty dimension is never mistaken for a low one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from interviews.labels import DIMENSION_LABELS
from interviews.models import SCORE_DIMENSIONS

# Colour-blind-safe (Okabe-Ito); a series past the sixth reuses them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
SCALE_MAX = 10
# Room around the plot for the axis labels.
LABEL_PAD_X = 104
LABEL_PAD_Y = 26


@dataclass(frozen=True)
class RadarSeries:
    name: str
    scores: Mapping[str, int | float | None]


def _point(cx: float, cy: float, radius: float, index: int, fraction: float) -> tuple[float, float]:
    # The first axis points straight up, the rest follow clockwise.
    angle = -math.pi / 2 + index * 2 * math.pi / len(SCORE_DIMENSIONS)
    return cx + radius * fraction * math.cos(angle), cy + radius * fraction * math.sin(angle)


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _fraction(value) -> float:
    if value is None:
        return 0.0
    return max(0.0, min(1.0, float(value) / SCALE_MAX))


def radar_svg(series: Sequence[RadarSeries], *, size: int = 240, title: str = "") -> SafeString:
    """An inline <svg> radar chart of the six dimensions, one polygon per series."""
    radius = size / 2
    width, height = size + 2 * LABEL_PAD_X, size + 2 * LABEL_PAD_Y
    cx, cy = width / 2, height / 2
    dims = SCORE_DIMENSIONS
    title = title or _("Scores by dimension")
    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{DIMENSION_LABELS[d]} {s.scores.get(d) if s.scores.get(d) is not None else _('n/a')}"
            for d in dims
        )
        for s in series
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="radar" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    # Rings at 2, 4, ... 10 and the six axes.
    for ring in range(2, SCALE_MAX + 1, 2):
        points = " ".join(
            f"{_fmt(x)},{_fmt(y)}"
            for x, y in (_point(cx, cy, radius, i, ring / SCALE_MAX) for i in range(len(dims)))
        )
        parts.append(
            f'<polygon class="radar-ring" points="{points}" fill="none" '
            f'stroke="#d0d4da" stroke-width="{1.2 if ring == SCALE_MAX else 0.6}"/>'
        )
    for i, dim in enumerate(dims):
        x, y = _point(cx, cy, radius, i, 1)
        parts.append(
            f'<line class="radar-axis" x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" '
            f'y2="{_fmt(y)}" stroke="#d0d4da" stroke-width="0.6"/>'
        )
        lx, ly = _point(cx, cy, radius + 10, i, 1)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        ly += 4 if abs(lx - cx) >= 1 else (-2 if ly < cy else 12)
        empty = all(s.scores.get(dim) is None for s in series)
        label = str(DIMENSION_LABELS[dim]) + (f" ({_('n/a')})" if empty else "")
        if len(series) == 1 and not empty:
            label += f" {series[0].scores[dim]}"
        parts.append(
            f'<text class="radar-label" x="{_fmt(lx)}" y="{_fmt(ly)}" '
            f'text-anchor="{anchor}" font-size="12" fill="#374151">{escape(label)}</text>'
        )
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [_point(cx, cy, radius, i, _fraction(s.scores.get(d))) for i, d in enumerate(dims)]
        parts.append(
            f'<polygon class="radar-series radar-series-{n}" '
            f'points="{" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in points)}" '
            f'fill="{colour}" fill-opacity="0.18" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(s.name)}</title></polygon>"
        )
        for (x, y), dim in zip(points, dims, strict=True):
            if s.scores.get(dim) is not None:
                parts.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{colour}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text inside went through escape()


def radar_legend(series: Sequence[RadarSeries]) -> list[tuple[str, str]]:
    """(name, colour) per series, for a legend next to a multi-series chart."""
    return [(s.name, PALETTE[n % len(PALETTE)]) for n, s in enumerate(series)]
