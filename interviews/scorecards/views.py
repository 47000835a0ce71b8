"""Scorecard pages and actions. Thin: look up, check who may change, call a
service or a selector, render or redirect with a message.

Anyone signed in may read (a team tool); only the interview's interviewer or
staff may change its scorecard (403 otherwise).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_interview, audit_page_view, audit_record
from interview_companion.http import safe_next
from interviews.labels import DIMENSION_LABELS
from interviews.models import SCORE_DIMENSIONS, Interview, Scorecard, ScorecardState
from interviews.scorecards.forms import (
    ScorecardAdjustForm,
    ScorecardDecisionForm,
    ScorecardExportFilterForm,
    ScorecardNotesForm,
)
from interviews.scorecards.jira import JiraHandOffError, scorecard_send_to_jira
from interviews.scorecards.presenters import CSV_HEADER, csv_row
from interviews.scorecards.reports import report_html, report_pdf_bytes
from interviews.scorecards.selectors import scorecard_export_rows, scorecard_history
from interviews.scorecards.services import (
    ScorecardError,
    scorecard_adjust_score,
    scorecard_ensure,
    scorecard_generate,
    scorecard_record_decision,
    scorecard_update_notes,
)
from interviews.selectors import interview_for_change, interview_for_read


def _interview(request: HttpRequest, interview_id: int) -> Interview:
    return interview_for_read(
        user=request.user, interview_id=interview_id, queryset=Interview.objects.with_people()
    )


def _interview_for_change(request: HttpRequest, interview_id: int) -> Interview:
    return interview_for_change(
        user=request.user, interview_id=interview_id, queryset=Interview.objects.with_people()
    )


def _back(request: HttpRequest, interview: Interview) -> HttpResponseRedirect:
    """Back where the form was (a safe `next`), else the interview page."""
    target = safe_next(request, request.POST.get("next", ""))
    if target is None:
        try:
            target = reverse("interviews:detail", args=[interview.pk])
        except NoReverseMatch:
            target = reverse("interviews:report", args=[interview.pk])
        target += "#scorecard"
    return HttpResponseRedirect(target)


def _cleaned(request: HttpRequest, form_class) -> dict | None:
    """The posted form's cleaned data, or None with each error shown as a message."""
    form = form_class(request.POST)
    if form.is_valid():
        return form.cleaned_data
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return None


@require_POST
def regenerate(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for_change(request, interview_id)
    try:
        # Synchronous on purpose: the built-in provider answers at once, LLM
        # providers within AI_TIMEOUT_SECONDS, and the interviewer sees the result
        # (or why it failed) on the next page; other viewers follow the
        # `generating` state live over the websocket.
        card = scorecard_generate(interview=interview, by=request.user)
    except ScorecardError as exc:
        messages.error(request, str(exc))
        return _back(request, interview)
    if card.state == ScorecardState.READY:
        messages.success(request, _("Scorecard generated (version %(v)s).") % {"v": card.version})
    else:
        messages.error(
            request,
            _("Scorecard generation failed: %(reason)s") % {"reason": card.failure_reason},
        )
    return _back(request, interview)


@require_POST
def notes(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for_change(request, interview_id)
    data = _cleaned(request, ScorecardNotesForm)
    if data is None:
        return _back(request, interview)
    card = scorecard_ensure(interview=interview)
    scorecard_update_notes(scorecard=card, notes=data["notes"], by=request.user)
    messages.success(request, _("Notes saved."))
    return _back(request, interview)


@require_POST
def adjust(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for_change(request, interview_id)
    data = _cleaned(request, ScorecardAdjustForm)
    if data is None:
        return _back(request, interview)
    dimension, value = data["dimension"], data["value"]
    card = scorecard_ensure(interview=interview)
    scorecard_adjust_score(scorecard=card, dimension=dimension, value=value, by=request.user)
    label = DIMENSION_LABELS[dimension]
    if value is None:
        messages.success(request, _("%(dim)s uses the AI's score again.") % {"dim": label})
    else:
        messages.success(request, _("%(dim)s set to %(v)s by hand.") % {"dim": label, "v": value})
    return _back(request, interview)


@require_POST
def decision(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for_change(request, interview_id)
    data = _cleaned(request, ScorecardDecisionForm)
    if data is None:
        return _back(request, interview)
    card = scorecard_ensure(interview=interview)
    try:
        scorecard_record_decision(
            scorecard=card,
            decision=data["decision"] or None,
            reason=data["reason"],
            by=request.user,
        )
    except ScorecardError as exc:
        messages.error(request, str(exc))
        return _back(request, interview)
    messages.success(request, _("Decision recorded."))
    return _back(request, interview)


@require_POST
def send_to_jira(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview_for_change(request, interview_id)
    card = Scorecard.objects.filter(interview=interview).first()
    if card is None:
        messages.error(request, _("There is no scorecard to send yet."))
        return _back(request, interview)
    card.interview = interview  # already loaded with its candidate and position
    report_url = request.build_absolute_uri(reverse("interviews:report", args=[interview.pk]))
    try:
        ticket = scorecard_send_to_jira(scorecard=card, report_url=report_url, by=request.user)
    except JiraHandOffError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Scorecard posted as a comment on %(t)s.") % {"t": ticket})
    return _back(request, interview)


@never_cache  # personal data: no cache keeps a copy
@require_GET
def history(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview(request, interview_id)
    card = get_object_or_404(Scorecard, interview=interview)
    audit_page_view(
        user=request.user,
        action=AuditAction.INTERVIEW_VIEWED,
        interview=interview,
        page="scorecard_history",
    )
    versions = [
        {
            "version": v.version,
            "created_at": v.created_at,
            "data": v.snapshot,
            "scores": [
                (DIMENSION_LABELS[d], v.snapshot.get(d), v.snapshot.get("ai_scores", {}).get(d))
                for d in SCORE_DIMENSIONS
            ],
        }
        for v in scorecard_history(card)
    ]
    return render(
        request,
        "interviews/scorecard_history.html",
        {
            "interview": interview,
            "card": card,
            "current_scores": [(DIMENSION_LABELS[d], getattr(card, d)) for d in SCORE_DIMENSIONS],
            "versions": versions,
        },
    )


@never_cache  # personal data: no cache keeps a copy
@require_GET
def report(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview(request, interview_id)
    audit_page_view(
        user=request.user, action=AuditAction.INTERVIEW_VIEWED, interview=interview, page="report"
    )
    return HttpResponse(report_html(interview, viewer=request.user, pdf=False, request=request))


def _report_filename(interview: Interview, extension: str) -> str:
    name = slugify(interview.candidate.name) or "candidate"
    return f"interview-{interview.pk}-{name}.{extension}"


@never_cache  # personal data: no cache keeps a copy
@require_GET
def report_pdf(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = _interview(request, interview_id)
    pdf = report_pdf_bytes(interview, viewer=request.user, request=request)
    audit_interview(action=AuditAction.EXPORT_PDF, actor=request.user, interview=interview)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_report_filename(interview, "pdf")}"'
    return response


@never_cache  # personal data: no cache keeps a copy
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    filters = ScorecardExportFilterForm(request.GET or None)
    rows = scorecard_export_rows(**filters.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="scorecards-{stamp}.csv"'
    response.write("\ufeff")  # so spreadsheet apps read the accents as UTF-8
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    written = 0
    for card in rows.iterator(chunk_size=500):
        written += 1
        writer.writerow(csv_row(card, ai_visible=card.ai_visible_to(request.user)))
    audit_record(
        action=AuditAction.EXPORT_CSV,
        actor=request.user,
        object_type="scorecards",
        details={
            "rows": written,
            # A name typed in the search box is personal data: only that one was used.
            "filters": {
                k: str(v)
                for k, v in filters.filters().items()
                if v not in ("", None) and k != "candidate_text"
            },
            "searched_by_name": bool(filters.filters()["candidate_text"]),
        },
    )
    return response
