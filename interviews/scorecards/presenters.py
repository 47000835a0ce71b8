"""What the scorecard pages make of the rows the selectors return: the panel's
forms and chart, the report's context, the CSV export's cells, the compare page's
matrix and radar chart."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from interviews.labels import DIMENSION_LABELS
from interviews.models import SCORE_DIMENSIONS, Interview, InterviewStatus, Scorecard
from interviews.presenters import clock
from interviews.scorecards.charts import RadarSeries, radar_legend, radar_svg
from interviews.scorecards.forms import (
    ScorecardAdjustForm,
    ScorecardDecisionForm,
    ScorecardNotesForm,
)
from interviews.scorecards.selectors import (
    report_data,
    scorecard_dimensions,
    scorecard_for_interview,
)


def _labelled(dimensions: list[dict]) -> list[dict]:
    return [{**d, "label": DIMENSION_LABELS[d["key"]]} for d in dimensions]


def _radar(interview: Interview, card: Scorecard | None) -> str | None:
    if card is None or all(v is None for v in card.dimension_scores().values()):
        return None
    return radar_svg([RadarSeries(interview.candidate.name, card.dimension_scores())])


def scorecard_panel(interview: Interview, user) -> dict:
    """What `templates/interviews/partials/scorecard.html` needs, under one key
    (`scorecard_panel`) so it cannot collide with the page's own context."""
    card = scorecard_for_interview(interview)
    can_change = interview.can_be_changed_by(user)
    dimensions = _labelled(scorecard_dimensions(card))
    return {
        "scorecard_panel": {
            "interview": interview,
            "card": card,
            "dimensions": dimensions,
            "adjusted_any": any(d["adjusted"] for d in dimensions),
            "radar": _radar(interview, card),
            "can_change": can_change,
            "can_generate": can_change and interview.status == InterviewStatus.COMPLETED,
            "notes_form": ScorecardNotesForm(initial={"notes": card.notes if card else ""}),
            "adjust_form": ScorecardAdjustForm(),
            "decision_form": ScorecardDecisionForm(
                initial={
                    "decision": card.decision if card else "",
                    "reason": card.decision_reason if card else "",
                }
            ),
            "history_count": card.versions.count() if card else 0,
            "jira_configured": bool(
                settings.JIRA_BASE_URL and settings.JIRA_EMAIL and settings.JIRA_API_TOKEN
            ),
            "jira_ticket": interview.candidate.jira_ticket or "",
        }
    }


def report_context(interview: Interview) -> dict:
    """Everything the printable report shows: candidate, position, scorecard with
    its radar chart, the flags that count with their evidence, and the whole final
    transcript with roles and clock times."""
    data = report_data(interview)
    card = data["card"]
    return {
        "interview": interview,
        "candidate": interview.candidate,
        "position": interview.job_position,
        "card": card,
        "dimensions": _labelled(scorecard_dimensions(card)),
        "radar": _radar(interview, card),
        "flags": data["flags"],
        "transcript": [
            {"row": row, "offset": clock(row.offset_ms)} for row in data["transcript_rows"]
        ],
    }


# --- The CSV export -------------------------------------------------------------

# The human decision comes first: it is what the team decided; the AI's
# recommendation is only a suggestion beside it.
CSV_HEADER = [
    "decision",
    "decision_reason",
    "decided_by",
    "decided_at",
    "candidate",
    "candidate_email",
    "position",
    "interview_id",
    "interview_status",
    "scheduled_at",
    "completed_at",
    "interviewer",
    "ai_recommendation",
    "ai_justification",
    "overall_score",
    *SCORE_DIMENSIONS,
    "adjusted_by_hand",
    "scorecard_state",
    "scorecard_version",
    "generated_at",
    "provider",
    "jira_ticket",
    "summary",
]


def csv_cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_row(card: Scorecard) -> list[str]:
    """One scorecard as the export's cells, in `CSV_HEADER` order."""
    interview = card.interview
    return [
        csv_cell(v)
        for v in [
            card.decision or "",
            card.decision_reason,
            card.decided_by.email if card.decided_by else "",
            _when(card.decided_at),
            interview.candidate.name,
            interview.candidate.email,
            interview.job_position.title if interview.job_position else "",
            interview.pk,
            interview.status,
            _when(interview.scheduled_at),
            _when(interview.completed_at),
            interview.interviewer.email,
            card.recommendation_verdict or "",
            card.recommendation_reason,
            "" if card.overall_score is None else f"{card.overall_score:.1f}",
            *[getattr(card, d) for d in SCORE_DIMENSIONS],
            " ".join(sorted(card.manual_scores or {})),
            card.state,
            card.version,
            _when(card.generated_at),
            card.provider,
            interview.candidate.jira_ticket or "",
            card.summary or "",
        ]
    ]


# --- The compare page -----------------------------------------------------------


def compare_matrix(cards: list[Scorecard], *, enough: int) -> dict:
    """The compare page's columns (a colour per candidate), one row per dimension,
    and the radar chart once at least `enough` candidates have a scorecard."""
    series = [RadarSeries(c.interview.candidate.name, c.dimension_scores()) for c in cards]
    colours = [colour for _name, colour in radar_legend(series)]
    columns = list(zip(cards, colours, strict=True))
    return {
        "columns": columns,
        "colour_by_candidate": {c.interview.candidate_id: colour for c, colour in columns},
        "rows": [
            (dim, [(c.dimension_scores()[dim], colour) for c, colour in columns])
            for dim in SCORE_DIMENSIONS
        ],
        "radar": radar_svg(series, size=300) if len(cards) >= enough else None,
    }
