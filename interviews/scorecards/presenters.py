"""What the scorecard pages make of the rows the selectors return: the panel's
forms and chart, the report's context, the CSV export's cells, the compare page's
matrix and radar chart."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from interviews.labels import (
    DIMENSION_LABELS,
    recommendation_label,
    requirements_in_words,
    role_label,
    scorecard_state_label,
    speaker_label,
)
from interviews.models import SCORE_DIMENSIONS, Interview, InterviewStatus, Scorecard
from interviews.presenters import clock, duration_words, insights_in_words
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
from interviews.selectors import interview_flag_counts, interview_topics


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
            # The person decides first (Scorecard.ai_visible_to).
            "ai_visible": card.ai_visible_to(user) if card else False,
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
    transcript = []
    previous = None
    for row in data["transcript_rows"]:
        transcript.append(
            {
                "row": row,
                "offset": clock(row.offset_ms),
                "who": role_label(row.speaker_role)
                if row.speaker_role
                else speaker_label(row.speaker),
                # One speaker's consecutive rows are one turn: named once.
                "continues": previous is not None and row.speaker == previous,
            }
        )
        previous = row.speaker
    return {
        "interview": interview,
        "candidate": interview.candidate,
        "position": interview.job_position,
        "card": card,
        "dimensions": _labelled(scorecard_dimensions(card)),
        "radar": _radar(interview, card),
        "flags": insights_in_words(data["flags"], interview),
        # The same selectors as the live page and the detail page.
        "flag_counts": interview_flag_counts(interview),
        "topics": requirements_in_words(interview_topics(interview)),
        "running_scores": (interview.analysis_state or {}).get("scores") or {},
        "duration": duration_words(interview),
        "transcript": transcript,
    }


# --- The CSV export -------------------------------------------------------------

# Codes are written in words in the exporter's language (interviews/labels.py), as
# every page shows them.
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


def csv_row(card: Scorecard, *, ai_visible: bool) -> list[str]:
    """One scorecard as the export's cells, in `CSV_HEADER` order. The person
    decides first: without `ai_visible` (Scorecard.ai_visible_to) the AI's verdict
    and overall score are left empty, in the export as on the page."""
    interview = card.interview
    return [
        csv_cell(v)
        for v in [
            recommendation_label(card.decision),
            card.decision_reason,
            card.decided_by.email if card.decided_by else "",
            _when(card.decided_at),
            interview.candidate.name,
            interview.candidate.email,
            interview.job_position.title if interview.job_position else "",
            interview.pk,
            interview.get_status_display(),
            _when(interview.scheduled_at),
            _when(interview.completed_at),
            interview.interviewer.email,
            recommendation_label(card.recommendation_verdict) if ai_visible else "",
            card.recommendation_reason if ai_visible else "",
            "" if card.overall_score is None or not ai_visible else f"{card.overall_score:.1f}",
            *[getattr(card, d) for d in SCORE_DIMENSIONS],
            " ".join(sorted(card.manual_scores or {})),
            scorecard_state_label(card.state),
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
