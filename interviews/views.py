"""Interview pages. Thin: look up, call a selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction
from audit.services import audit_interviews_viewed, audit_page_view
from candidates.selectors import candidate_list, candidates_by_ids
from interview_companion.http import row_id_from_query
from interviews.forms import InsightFilterForm, InterviewFilterForm, InterviewScheduleForm
from interviews.labels import live_labels, requirements_in_words
from interviews.models import SCORE_DIMENSIONS, Interview, InterviewStatus, NoticeChannel
from interviews.notices import notice_text_current
from interviews.presenters import duration_words, insights_in_words, with_clock
from interviews.scorecards.presenters import compare_matrix, scorecard_panel
from interviews.scorecards.selectors import scorecards_for_compare
from interviews.selectors import (
    DASHBOARD_PAGE_SIZE,
    DETAIL_INSIGHTS_PAGE_SIZE,
    dashboard_home,
    interview_flag_counts,
    interview_for_change,
    interview_for_page,
    interview_for_read,
    interview_insights,
    interview_list,
    interview_talk_time,
    interview_topics,
    live_page_state,
    transcript_rows_before,
)
from interviews.services import TransitionError, interview_transition

COMPARE_MIN, COMPARE_MAX = 2, 4
SCORECARD_PARTIAL = "interviews/partials/scorecard.html"


def paginate(request: HttpRequest, rows, per_page: int = DASHBOARD_PAGE_SIZE, param="page") -> Page:
    """One page of `rows`: a COUNT and a LIMIT query, whatever the total."""
    return Paginator(rows, per_page).get_page(request.GET.get(param))


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
        if candidate := row_id_from_query(request.GET.get("candidate")):
            initial["candidate"] = candidate
        if position := row_id_from_query(request.GET.get("position")):
            initial["job_position"] = position
        form = InterviewScheduleForm(initial=initial)
    return render(request, "interviews/new.html", {"form": form})


def _scorecard_panel(request: HttpRequest, interview: Interview) -> dict:
    return {**scorecard_panel(interview, request.user), "scorecard_partial": SCORECARD_PARTIAL}


@never_cache  # personal data: no cache keeps a copy
@require_GET
def interview_detail(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_page(user=request.user, interview_id=interview_id)
    audit_page_view(
        user=request.user, action=AuditAction.INTERVIEW_VIEWED, interview=interview, page="detail"
    )
    insight_filters = InsightFilterForm(request.GET or None)
    rows, has_older = transcript_rows_before(interview)
    insights = paginate(
        request,
        interview_insights(interview, **insight_filters.filters()),
        per_page=DETAIL_INSIGHTS_PAGE_SIZE,
        param="ipage",
    )
    insights.object_list = insights_in_words(insights.object_list, interview)
    context = {
        **_scorecard_panel(request, interview),
        "interview": interview,
        "can_change": interview.can_be_changed_by(request.user),
        "transcript": with_clock(rows),
        "has_older": has_older,
        "insight_filters": insight_filters,
        "insights_filtered": any(insight_filters.filters().values()),
        "insights": insights,
        "talk": interview_talk_time(interview),
        "flags": interview_flag_counts(interview),
        "topics": requirements_in_words(interview_topics(interview)),
        "scorecard": getattr(interview, "scorecard", None),
        "duration": duration_words(interview),
    }
    return render(request, "interviews/detail.html", context)


@never_cache  # personal data: no cache keeps a copy
@require_GET
def transcript_older(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The transcript rows before `?before=<row id>`, as an HTML fragment the detail
    page inserts above the rows it shows ("load older")."""
    interview = interview_for_read(
        user=request.user, interview_id=interview_id, queryset=Interview.objects.only("id", "roles")
    )
    before = row_id_from_query(request.GET.get("before"))
    if before is None:
        return HttpResponse(_("“before” must be a transcript row id."), status=400)
    rows, has_older = transcript_rows_before(interview, before_id=before)
    return render(
        request,
        "interviews/partials/transcript_rows.html",
        {"interview": interview, "transcript": with_clock(rows), "has_older": has_older},
    )


@require_POST
def interview_status(request: HttpRequest, interview_id: int) -> HttpResponse:
    """Start or cancel an interview from its page (no JavaScript needed)."""
    interview = interview_for_change(user=request.user, interview_id=interview_id)
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
    ids = [row_id_from_query(v) for v in request.GET.getlist("c")]
    return list(dict.fromkeys(i for i in ids if i is not None))[:COMPARE_MAX]


def mixed_positions(cards: list) -> list[str]:
    """The positions' titles when the compared scorecards come from more than one."""
    titles = {
        c.interview.job_position_id: (
            c.interview.job_position.title if c.interview.job_position else _("No position")
        )
        for c in cards
    }
    return sorted(titles.values()) if len(titles) > 1 else []


@never_cache  # personal data: no cache keeps a copy
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
    matrix = compare_matrix(cards, enough=COMPARE_MIN)
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "interviews/compare.html",
        {
            "cards": cards,
            "selected": selected,
            "chips": [(c, matrix["colour_by_candidate"].get(c.pk)) for c in selected],
            "without_card": [c for c in selected if c.pk not in with_card],
            "dimensions": SCORE_DIMENSIONS,
            "rows": matrix["rows"],
            "columns": matrix["columns"],
            "radar": matrix["radar"],
            "enough": len(cards) >= COMPARE_MIN,
            "mixed_positions": mixed_positions(cards),
            "full": len(selected) >= COMPARE_MAX,
            "q": q,
            "matches": list(candidate_list(q).exclude(pk__in=ids)[:10]) if q else [],
        },
    )


@never_cache  # personal data: no cache keeps a copy
@require_GET
def live(request: HttpRequest, interview_id: int) -> HttpResponse:
    interview = interview_for_read(
        user=request.user, interview_id=interview_id, queryset=Interview.objects.with_people()
    )
    state = live_page_state(interview)
    state["topics"] = requirements_in_words(state["topics"])
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
            "labels": live_labels(interview),
            # The text to read aloud, in the interview's language, and the answers so far.
            "notice_text": notice_text_current(interview.language),
            "notices": interview.notices.select_related("recorded_by").order_by("recorded_at"),
            "notice_required": settings.CANDIDATE_NOTICE_REQUIRED,
            "notice_channels": NoticeChannel.choices,
        },
    )
