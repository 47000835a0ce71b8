"""The interview report, as a page and as a PDF: one renderer, used by the report
views and by the candidate export (compliance).

What the viewer may see of the AI's verdict is decided here, per viewer
(Scorecard.ai_visible_to), and so is the report's "How this assessment was made"
section: what the AI used (provider, model, prompt version, requirements and
weights) and which insights counted or were set aside.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string

from interviews.labels import DIMENSION_LABELS
from interviews.models import (
    PROTECTED_QUESTION_TOPIC,
    AIInsight,
    Interview,
)
from interviews.scorecards.presenters import report_context
from interviews.scorecards.services import dimension_weights


def assessment_explanation(interview: Interview, card) -> dict:
    """How the assessment was made, from what was stored when it was made."""
    requirements = (interview.job_position.requirements or {}) if interview.job_position_id else {}
    weights = dimension_weights(requirements)
    insights = list(
        AIInsight.objects.filter(interview=interview)
        .select_related("transcript")
        .order_by("timestamp", "id")
    )
    # Notes about a protected question (asked by the interviewer) are about the
    # interview, not the candidate: they never count, and the report leaves them out.
    counted = [i for i in insights if not i.dismissed and i.topic != PROTECTED_QUESTION_TOPIC]
    set_aside = [i for i in insights if i.dismissed and i.topic != PROTECTED_QUESTION_TOPIC]
    return {
        "provider": card.provider if card else "",
        "model": card.ai_model if card else "",
        "prompt_version": card.prompt_version if card else "",
        "generated_at": card.generated_at if card else None,
        "technical_skills": list(requirements.get("technical_skills") or []),
        "experience": requirements.get("experience") or "",
        "english_level": requirements.get("english_level") or "",
        "nice_to_have": list(requirements.get("nice_to_have") or []),
        "weights": [(DIMENSION_LABELS[dim], weight) for dim, weight in weights.items()],
        "weights_given": bool(requirements.get("weights")),
        "counted": counted,
        "set_aside": set_aside,
    }


def report_context_for(interview: Interview, viewer) -> dict:
    context = report_context(interview)
    card = context["card"]
    return {
        **context,
        "ai_visible": bool(card) and card.ai_visible_to(viewer),
        "explanation": assessment_explanation(interview, card),
    }


def report_html(
    interview: Interview, *, viewer, pdf: bool, request: HttpRequest | None = None
) -> str:
    return render_to_string(
        "interviews/report.html",
        {**report_context_for(interview, viewer), "pdf": pdf, "request": request},
        request=request,
    )


def report_pdf_bytes(interview: Interview, *, viewer, request: HttpRequest | None = None) -> bytes:
    """The report as a PDF, as `viewer` may see it."""
    # Imported here: WeasyPrint loads Pango at import time, which only the PDF needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    html = report_html(interview, viewer=viewer, pdf=True, request=request)
    # The report holds no external resource: refusing every fetch but data: URIs
    # means text from a transcript can never make the server fetch a URL.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(
        stylesheets=[CSS(filename=finders.find("css/report.css"))]
    )
