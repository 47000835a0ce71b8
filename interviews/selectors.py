"""Reads for interviews: the live feed's catch-up, the analysis runner's work list,
and the pages' querysets (each decides its select/prefetch once, here)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.skills import fold, skill_key
from interviews.live.events import event_message
from interviews.live.payloads import insight_data, interview_data, scorecard_data, transcript_data
from interviews.models import (
    AIInsight,
    InsightType,
    Interview,
    InterviewEvent,
    InterviewStatus,
    Scorecard,
    SpeakerRole,
    Transcript,
)

# --- Who may read or change an interview ------------------------------------------
# One lookup per kind of access, used by the views, the API, the consumers, the
# transcript import and the audio relay. The rule itself is the model's
# (`Interview.can_be_changed_by`); the ingest fast path applies the same rule to a
# batch of interviews under their row locks and refuses with the same exceptions.


class InterviewNotFound(Http404):
    """No such interview (answered 404; a websocket closes with 4404)."""

    def __str__(self) -> str:
        return _("No such interview.")


class NotAllowed(PermissionDenied):
    """This user may not do that to this interview (answered 403; a websocket
    closes with 4403)."""

    def __str__(self) -> str:
        return _("Only the interview's interviewer or staff may change it.")


def _interview(interview_id: int, queryset: QuerySet[Interview] | None) -> Interview:
    row = (queryset if queryset is not None else Interview.objects).filter(pk=interview_id).first()
    if row is None:
        raise InterviewNotFound
    return row


def interview_for_read(
    *, user, interview_id: int, queryset: QuerySet[Interview] | None = None
) -> Interview:
    """The interview, for any signed-in active user (a team tool: every interviewer
    reads every interview)."""
    if not (user.is_authenticated and user.is_active):
        raise NotAllowed
    return _interview(interview_id, queryset)


def interview_for_change(
    *, user, interview_id: int, queryset: QuerySet[Interview] | None = None
) -> Interview:
    """The interview, if this user may change it: its interviewer, or staff."""
    interview = interview_for_read(user=user, interview_id=interview_id, queryset=queryset)
    if not interview.can_be_changed_by(user):
        raise NotAllowed
    return interview


def events_after(
    interview_id: int, after_seq: int, limit: int | None = None
) -> list[tuple[int, str]]:
    """Logged events with seq > after_seq, in order, as (seq, websocket text)."""
    rows = InterviewEvent.objects.filter(interview_id=interview_id, seq__gt=after_seq).order_by(
        "seq"
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        (seq, event_message(seq, type_, object_id, data))
        for seq, type_, object_id, data in rows.values_list("seq", "type", "object_id", "data")
    ]


def pending_interview_ids(interview_ids: Iterable[int] | None = None) -> list[int]:
    """Interviews with final chunks waiting for analysis."""
    rows = Transcript.objects.pending_analysis()
    if interview_ids is not None:
        rows = rows.filter(interview_id__in=list(interview_ids))
    return sorted(set(rows.values_list("interview_id", flat=True)))


LIVE_PAGE_TRANSCRIPT_ROWS = 200


def live_page_state(interview: Interview) -> dict:
    """What the live page renders first, and the seq its websocket resumes after.

    `last_seq` is read before the rows, so a row changed in between is also an event
    with a larger seq: the page may see it twice, and applies it by id, once.
    """
    last_seq = Interview.objects.values_list("last_seq", flat=True).get(pk=interview.pk)
    rows = list(
        Transcript.objects.filter(interview=interview).order_by("-timestamp", "-id")[
            :LIVE_PAGE_TRANSCRIPT_ROWS
        ]
    )
    insights = list(
        AIInsight.objects.current().filter(interview=interview).order_by("-timestamp", "-id")[:300]
    )
    requirements = (interview.job_position.requirements or {}) if interview.job_position else {}
    card = Scorecard.objects.filter(interview=interview).first()
    return {
        "scorecard": scorecard_data(card) if card else None,
        "last_seq": last_seq,
        "interview": interview_data(interview),
        "transcripts": [{"id": r.pk, **transcript_data(r)} for r in reversed(rows)],
        "insights": [{"id": i.pk, **insight_data(i)} for i in reversed(insights)],
        "requirements": requirements,
        # The same selectors as the detail page and the report.
        "topics": interview_topics(interview),
        "flags": interview_flag_counts(interview),
    }


# --- Dashboard pages ------------------------------------------------------------
# Every page reads through these, with its joins decided here once, so a page runs
# the same number of queries for two rows or two thousand.

DASHBOARD_PAGE_SIZE = 25
DETAIL_TRANSCRIPT_ROWS = 200
DETAIL_INSIGHTS_PAGE_SIZE = 50
HOME_LIST_LIMIT = 10


def _dashboard_interviews():
    return Interview.objects.with_people().select_related("scorecard")


def dashboard_home(now=None) -> dict:
    """Home: live now, upcoming today and later this week, recently completed, and
    counts by status. Days and weeks are the viewer's (the active time zone)."""

    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start_of_tomorrow = (local_now + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    # The week ends on Sunday night; on a Sunday "this week" is just today.
    end_of_week = start_of_tomorrow + timedelta(days=6 - local_now.weekday())
    base = _dashboard_interviews()
    live = list(base.live().order_by("-started_at")[:HOME_LIST_LIMIT])
    # An interview scheduled earlier today that has not started yet is still "today".
    start_of_today = start_of_tomorrow - timedelta(days=1)
    upcoming = list(
        base.filter(
            status=InterviewStatus.SCHEDULED,
            scheduled_at__gte=start_of_today,
            scheduled_at__lt=end_of_week,
        ).order_by("scheduled_at")[: HOME_LIST_LIMIT * 3]
    )
    recent = list(
        base.filter(status=InterviewStatus.COMPLETED).order_by("-completed_at", "-id")[
            :HOME_LIST_LIMIT
        ]
    )
    counts = dict(Interview.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "live": live,
        "today": [i for i in upcoming if i.scheduled_at < start_of_tomorrow],
        "this_week": [i for i in upcoming if i.scheduled_at >= start_of_tomorrow],
        "recent": recent,
        "status_counts": [
            (status, label, counts.get(status, 0)) for status, label in InterviewStatus.choices
        ],
        "total": sum(counts.values()),
    }


def interview_filters(
    prefix: str,
    *,
    status: str = "",
    position=None,
    interviewer=None,
    date_from=None,
    date_to=None,
    candidate_text: str = "",
) -> Q:
    """The interviews list's filters as one Q, for interviews (`prefix` "") or rows
    that point at one ("interview__"). Dates are days in the viewer's time zone
    (`date_to` included); the candidate is searched folded, as on the candidates
    page."""
    q = Q()
    if status:
        q &= Q(**{f"{prefix}status": status})
    if position is not None:
        q &= Q(**{f"{prefix}job_position": position})
    if interviewer is not None:
        q &= Q(**{f"{prefix}interviewer": interviewer})
    tz = timezone.get_current_timezone()
    if date_from:
        q &= Q(**{f"{prefix}scheduled_at__gte": datetime.combine(date_from, time.min, tzinfo=tz)})
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        q &= Q(**{f"{prefix}scheduled_at__lt": end})
    text = fold((candidate_text or "").strip())
    if text:
        q &= Q(**{f"{prefix}candidate__search_text__contains": text})
    return q


def interview_list(**filters):
    """The interviews list with its filters (see `interview_filters`)."""
    rows = _dashboard_interviews().filter(interview_filters("", **filters))
    return rows.order_by(F("scheduled_at").desc(nulls_last=True), "-id")


def interview_for_page(*, user, interview_id: int) -> Interview:
    """One interview with its people and scorecard, for the detail page."""
    return interview_for_read(
        user=user, interview_id=interview_id, queryset=_dashboard_interviews()
    )


def transcript_rows_before(
    interview: Interview, before_id: int | None = None, limit: int = DETAIL_TRANSCRIPT_ROWS
) -> tuple[list[Transcript], bool]:
    """The latest `limit` transcript rows (older than row `before_id` when given), in
    reading order, and whether older rows remain."""

    rows = Transcript.objects.filter(interview=interview)
    if before_id is not None:
        anchor = rows.filter(pk=before_id).values_list("timestamp", flat=True).first()
        if anchor is None:
            return [], False
        rows = rows.filter(Q(timestamp__lt=anchor) | Q(timestamp=anchor, id__lt=before_id))
    # One row more than shown tells whether a "load older" button is needed.
    latest = list(rows.order_by("-timestamp", "-id")[: limit + 1])
    has_older = len(latest) > limit
    return list(reversed(latest[:limit])), has_older


def interview_insights(interview: Interview, *, type: str = "", severity: str = ""):

    rows = AIInsight.objects.current().filter(interview=interview)
    if type:
        rows = rows.filter(type=type)
    if severity:
        rows = rows.filter(severity=severity)
    return rows.select_related("transcript").order_by("timestamp", "id")


def interview_talk_time(interview: Interview) -> dict:
    """Speech time of interviewer and candidate (final rows' `duration_ms`), with
    each one's share in percent."""

    totals = dict(
        Transcript.objects.filter(interview=interview, is_interim=False)
        .order_by()
        .values_list("speaker_role")
        .annotate(ms=Sum("duration_ms"))
    )
    host = totals.get(SpeakerRole.HOST) or 0
    guest = totals.get(SpeakerRole.GUEST) or 0
    total = host + guest
    return {
        "host_ms": host,
        "guest_ms": guest,
        "unassigned_ms": sum(v or 0 for k, v in totals.items() if k not in SpeakerRole.values),
        "host_pct": round(100 * host / total) if total else 0,
        "guest_pct": 100 - round(100 * host / total) if total else 0,
        "total_ms": total,
        "host_minutes": host / 60000,
        "guest_minutes": guest / 60000,
    }


def interview_flag_counts(interview: Interview) -> dict:
    """Insights by type (dismissed ones left out: they never count) in one query."""

    kept = Q(dismissed=False)
    return interview.insights.current().aggregate(
        **{t.replace("-", "_"): Count("id", filter=kept & Q(type=t)) for t in InsightType.values},
        dismissed=Count("id", filter=Q(dismissed=True)),
    )


def interview_topics(interview: Interview) -> list[dict]:
    """The position's skills (required, then nice to have), each marked covered or
    not, plus anything else the analysis covered. Skills match by their normalised
    key, so "PostgreSQL" in the position and "postgres" in the analysis agree."""

    state = interview.analysis_state or {}
    covered = [str(c) for c in state.get("covered_requirements") or []]
    covered_keys = {skill_key(c) for c in covered}
    requirements = (interview.job_position.requirements or {}) if interview.job_position else {}
    listed = [
        *(str(s) for s in requirements.get("technical_skills") or []),
        *(str(s) for s in requirements.get("nice_to_have") or []),
    ]
    listed_keys = {skill_key(s) for s in listed}
    topics: list[dict] = []
    seen: set[str] = set()
    for name in listed:
        key = skill_key(name)
        if key not in seen:
            seen.add(key)
            topics.append({"name": name, "key": key, "covered": key in covered_keys})
    for name in covered:
        key = skill_key(name)
        if key not in listed_keys and key not in seen:
            seen.add(key)
            topics.append({"name": name, "key": key, "covered": True})
    return topics
