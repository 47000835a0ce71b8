"""Interview pages. Thin: look up, call a selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_interviews_viewed, audit_page_view
from candidates.selectors import candidate_list, candidates_by_ids
from interviews.forms import InsightFilterForm, InterviewFilterForm, InterviewScheduleForm
from interviews.models import SCORE_DIMENSIONS, Interview, InterviewStatus, NoticeChannel
from interviews.notices import notice_text_current
from interviews.scorecards.charts import RadarSeries, radar_legend, radar_svg
from interviews.selectors import (
    DASHBOARD_PAGE_SIZE,
    DETAIL_INSIGHTS_PAGE_SIZE,
    dashboard_home,
    interview_flag_counts,
    interview_for_page,
    interview_insights,
    interview_list,
    interview_talk_time,
    interview_topics,
    live_page_state,
    scorecards_for_compare,
    transcript_rows_before,
)
from interviews.services import TransitionError, interview_transition

COMPARE_MIN, COMPARE_MAX = 2, 4
SCORECARD_PARTIAL = "interviews/partials/scorecard.html"


def paginate(request: HttpRequest, rows, per_page: int = DASHBOARD_PAGE_SIZE, param="page") -> Page:
    """One page of `rows`: a COUNT and a LIMIT query, whatever the total."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))


def with_clock(rows: list) -> list:
    """Give each transcript row its place in the interview as m:ss (`clock`): rows
    that arrive in one batch (an import) share a wall-clock time, never an offset."""
    for row in rows:
        # Formatted here, not with two `|date` filters per row in the template: on a
        # 200-row page those were a third of the render time.
        local = timezone.localtime(row.timestamp)
        row.iso_time = local.isoformat()
        row.time_of_day = local.strftime("%H:%M:%S")
        seconds = max(row.offset_ms or 0, 0) // 1000
        row.clock = f"{seconds // 60}:{seconds % 60:02d}"
    return rows


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "interviews/home.html", dashboard_home())


@require_GET
def interview_list_page(request: HttpRequest) -> HttpResponse:
    filters = InterviewFilterForm(request.GET or None)
    page = paginate(request, interview_list(**filters.filters()))
    return render(
        request,
        "interviews/list.html",
        {
            "filters": filters,
            "page": page,
            "filtered": any(request.GET.get(k) for k in filters.fields),
        },
    )


def interview_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = InterviewScheduleForm(request.POST)
        if form.is_valid() and (interview := form.save(interviewer=request.user)):
            return redirect("interviews:detail", interview_id=interview.pk)
    else:
        initial = {}
        # "Schedule an interview" from a candidate's or a position's page.
        if (candidate := request.GET.get("candidate", "")).isdigit():
            initial["candidate"] = int(candidate)
        if (position := request.GET.get("position", "")).isdigit():
            initial["job_position"] = int(position)
        form = InterviewScheduleForm(initial=initial)
    return render(request, "interviews/new.html", {"form": form})


def _scorecard_panel(request: HttpRequest, interview: Interview) -> dict:
    """The scorecard panel's context when its partial and selector exist (they come
    with the scorecard feature); the page renders without them otherwise."""
    try:
        from interviews.selectors import scorecard_panel_context
    except ImportError:
        return {}
    try:
        select_template([SCORECARD_PARTIAL])
    except TemplateDoesNotExist:
        return {}
    return {
        **scorecard_panel_context(interview, request.user),
        "scorecard_partial": SCORECARD_PARTIAL,
    }


@require_GET
def interview_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_page(interview_id)
    audit_page_view(
        user=request.user, action=AuditAction.INTERVIEW_VIEWED, interview=interview, page="detail"
    )
    insight_filters = InsightFilterForm(request.GET or None)
    rows, has_older = transcript_rows_before(interview)
    context = {
        **_scorecard_panel(request, interview),
        "interview": interview,
        "can_change": interview.can_be_changed_by(request.user),
        "transcript": with_clock(rows),
        "has_older": has_older,
        "insight_filters": insight_filters,
        "insights_filtered": any(insight_filters.filters().values()),
        "insights": paginate(
            request,
            interview_insights(interview, **insight_filters.filters()),
            per_page=DETAIL_INSIGHTS_PAGE_SIZE,
            param="ipage",
        ),
        "talk": interview_talk_time(interview),
        "flags": interview_flag_counts(interview),
        "topics": interview_topics(interview),
        "scorecard": getattr(interview, "scorecard", None),
    }
    return render(request, "interviews/detail.html", context)


@require_GET
def transcript_older(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The transcript rows before `?before=<row id>`, as an HTML fragment the detail
    page inserts above the rows it shows ("load older")."""
    interview = get_object_or_404(Interview.objects.only("id", "roles"), pk=interview_id)
    before = request.GET.get("before", "")
    if not before.isdigit():
        return HttpResponse(_("“before” must be a transcript row id."), status=400)
    rows, has_older = transcript_rows_before(interview, before_id=int(before))
    return render(
        request,
        "interviews/partials/transcript_rows.html",
        {"interview": interview, "transcript": with_clock(rows), "has_older": has_older},
    )


@require_POST
def interview_status(request: HttpRequest, interview_id: int) -> HttpResponse:
    """Start or cancel an interview from its page (no JavaScript needed)."""
    interview = get_object_or_404(Interview, pk=interview_id)
    if not interview.can_be_changed_by(request.user):
        raise PermissionDenied(_("Only the interviewer or staff may change this interview."))
    to = request.POST.get("to", "")
    if to not in (InterviewStatus.LIVE, InterviewStatus.CANCELLED):
        return HttpResponse(_("Unknown action."), status=400)
    try:
        interview_transition(interview=interview, to=to, by=request.user)
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("interviews:detail", interview_id=interview.pk)
    if to == InterviewStatus.LIVE:
        return redirect("interviews:live", interview_id=interview.pk)
    return redirect("interviews:detail", interview_id=interview.pk)


def _selected_ids(request: HttpRequest) -> list[int]:
    ids = [int(v) for v in request.GET.getlist("c") if v.isdigit()]
    return list(dict.fromkeys(ids))[:COMPARE_MAX]


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Two to four candidates' latest scorecards side by side, with a radar chart."""
    ids = _selected_ids(request)
    cards = scorecards_for_compare(ids) if ids else []
    # Each candidate's scorecard was looked at (one INSERT, whatever the count).
    audit_interviews_viewed(
        user=request.user, interviews=[c.interview for c in cards], page="compare"
    )
    selected = candidates_by_ids(ids) if ids else []
    with_card = {c.interview.candidate_id for c in cards}
    series = [RadarSeries(c.interview.candidate.name, c.dimension_scores()) for c in cards]
    colours = [colour for _name, colour in radar_legend(series)]
    colour_by_candidate = {
        c.interview.candidate_id: colour for c, colour in zip(cards, colours, strict=True)
    }
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "interviews/compare.html",
        {
            "cards": cards,
            "selected": selected,
            "chips": [(c, colour_by_candidate.get(c.pk)) for c in selected],
            "without_card": [c for c in selected if c.pk not in with_card],
            "dimensions": SCORE_DIMENSIONS,
            "rows": [
                (
                    dim,
                    [
                        (c.dimension_scores()[dim], colour)
                        for c, colour in zip(cards, colours, strict=True)
                    ],
                )
                for dim in SCORE_DIMENSIONS
            ],
            "columns": list(zip(cards, colours, strict=True)),
            "radar": radar_svg(series, size=300) if len(cards) >= COMPARE_MIN else None,
            "enough": len(cards) >= COMPARE_MIN,
            "full": len(selected) >= COMPARE_MAX,
            "q": q,
            "matches": list(candidate_list(q).exclude(pk__in=ids)[:10]) if q else [],
        },
    )


@require_GET
def live(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = get_object_or_404(Interview.objects.with_people(), pk=interview_id)
    state = live_page_state(interview)
    ai_after_decision = settings.AI_RECOMMENDATION_AFTER_DECISION and not request.user.is_staff
    card = state["scorecard"]
    if card and ai_after_decision and not (card["decision"] and card["decision_reason"]):
        # Not even in the page's source before the person has decided.
        state["scorecard"] = {**card, "recommendation": None, "overall_score": None}
    can_change = interview.can_be_changed_by(request.user)
    audit_page_view(
        user=request.user, action=AuditAction.INTERVIEW_VIEWED, interview=interview, page="live"
    )
    return render(
        request,
        "interviews/live.html",
        {
            "interview": interview,
            "state": state,
            "can_change": can_change,
            # The text to read aloud, in the interview's language, and the answers so far.
            "notice_text": notice_text_current(interview.language),
            "notices": interview.notices.select_related("recorded_by").order_by("recorded_at"),
            "notice_required": settings.CANDIDATE_NOTICE_REQUIRED,
            "notice_channels": NoticeChannel.choices,
            # The person decides first: the page shows the AI's verdict only after
            # a decision (staff always), like the scorecard panel.
            "ai_after_decision": ai_after_decision,
        },
    )
