"""Writes to interviews: the lifecycle, transcript ingest, speaker roles, insights.

Each service is the one place its rule is enforced, runs in one transaction, takes
the interview's row lock first (so every writer of an interview locks in the same
order), appends what live pages must see to the event log, and leaves
broadcasting and waking the analysis runner to after commit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_interview
from candidates.models import JobPositionStatus
from interviews.live import wakeup
from interviews.live.events import Change, events_append
from interviews.live.payloads import insight_data, interview_data, roles_data, scorecard_data
from interviews.models import (
    AIInsight,
    EventType,
    Interview,
    InterviewStatus,
    Scorecard,
    ScorecardState,
    SpeakerRole,
    Transcript,
)
from interviews.notices import notice_missing, notice_missing_message


class TransitionError(Exception):
    """An illegal lifecycle transition (answered 409)."""


class NoticeMissing(TransitionError):
    """Going live before the candidate's answer to the notice is recorded."""


def _locked(interview_id: int, *fields: str) -> Interview:
    """The interview row, locked; `fields` limits what is read (the analysis state
    grows with the interview and ingest does not need it)."""
    rows = Interview.objects.select_for_update()
    if fields:
        rows = rows.only(*fields)
    return rows.get(pk=interview_id)


# --- Lifecycle ----------------------------------------------------------------


@transaction.atomic
def interview_transition(*, interview: Interview, to: str, by=None) -> Interview:
    """Move an interview along scheduled -> live -> completed (or to cancelled).

    A transition to the current status changes nothing, so clients can retry.
    """
    if to not in InterviewStatus.values:
        raise TransitionError(_("Unknown status “%(to)s”.") % {"to": to})
    locked = _locked(interview.pk)
    if locked.status == to:
        return locked
    if not locked.can_transition_to(to):
        raise TransitionError(
            _("An interview cannot go from “%(from)s” to “%(to)s”.")
            % {"from": locked.status, "to": to}
        )
    if to == InterviewStatus.LIVE and notice_missing(locked):
        raise NoticeMissing(notice_missing_message())
    previous = locked.status
    now = timezone.now()
    locked.status = to
    fields = ["status", "updated_at"]
    if to == InterviewStatus.LIVE:
        locked.started_at = now
        fields.append("started_at")
    elif to == InterviewStatus.COMPLETED:
        locked.completed_at = now
        fields.append("completed_at")
    locked.save(update_fields=fields)
    events_append(
        interview_id=locked.pk,
        changes=[Change(EventType.INTERVIEW, locked.pk, interview_data(locked))],
    )
    audit_interview(
        action=AuditAction.INTERVIEW_TRANSITION,
        actor=by,
        interview=locked,
        details={"from": previous, "to": to},
    )
    if to == InterviewStatus.COMPLETED:
        # The runner finishes any pending analysis, then writes the scorecard.
        transaction.on_commit(lambda: wakeup.notify(locked.pk))
    return locked


# --- Speaker roles ------------------------------------------------------------


@transaction.atomic
def interview_set_roles(
    *, interview: Interview, host: str, guest: str, confidence: int = 100, by=None
) -> Interview:
    """Map diarised speakers to host and guest, and back-fill `speaker_role`.

    Used by role detection and by the interviewer confirming or swapping roles.
    When the mapping changes, everything analysed under the old one is redone
    (`_analysis_restart`, in this same transaction), so no worker can commit a
    chunk analysed under the old roles once the new ones are visible.
    """
    if not host or not guest or host == guest:
        raise ValueError(_("Host and guest must be two different speakers."))
    if not 0 <= confidence <= 100:
        raise ValueError(_("Confidence must be between 0 and 100."))
    locked = _locked(interview.pk)
    roles = {SpeakerRole.HOST: host, SpeakerRole.GUEST: guest}
    changed = not (locked.roles_assigned and locked.roles == roles)
    locked.roles = roles
    locked.roles_assigned = True
    locked.roles_confidence = confidence
    locked.save(update_fields=["roles", "roles_assigned", "roles_confidence", "updated_at"])
    rows = Transcript.objects.filter(interview_id=locked.pk)
    rows.filter(speaker=host).update(speaker_role=SpeakerRole.HOST)
    rows.filter(speaker=guest).update(speaker_role=SpeakerRole.GUEST)
    rows.exclude(speaker__in=[host, guest]).update(speaker_role=None)
    # One `roles` event: pages relabel every row by speaker rather than receiving
    # each back-filled row again.
    changes = [Change(EventType.ROLES, locked.pk, roles_data(locked))]
    if changed:
        changes += _analysis_restart(locked)
    events_append(interview_id=locked.pk, changes=changes)
    audit_interview(
        action=AuditAction.ROLES_CHANGED,
        actor=by,
        interview=locked,
        # `by` is None when role detection (the AI) set them.
        details={"host": host, "guest": guest, "confidence": confidence, "by_ai": by is None},
    )
    transaction.on_commit(lambda: wakeup.notify(locked.pk))
    return locked


def _analysis_restart(interview: Interview) -> list[Change]:
    """The roles changed: supersede every insight derived under the old ones, mark
    every analysed chunk pending again and start the running state (scores,
    requirements covered) afresh, so the runner analyses each chunk again, once,
    in order. A scorecard already written is generated again after that.

    Called with the interview's row lock held, inside the role change's transaction.
    """
    now = timezone.now()
    superseded = list(AIInsight.objects.current().filter(interview_id=interview.pk))
    AIInsight.objects.filter(pk__in=[i.pk for i in superseded]).update(superseded_at=now)
    changes = []
    for insight in superseded:
        insight.superseded_at = now
        # A page that never loaded this insight (it shows the newest 300) still
        # knows whether its flag count included it.
        data = {**insight_data(insight), "was_counted": not insight.dismissed}
        changes.append(Change(EventType.INSIGHT, insight.pk, data))
    Transcript.objects.filter(interview_id=interview.pk, analyzed_at__isnull=False).update(
        analyzed_at=None
    )
    interview.analysis_state = {}
    interview.save(update_fields=["analysis_state", "updated_at"])
    changes.append(Change(EventType.INTERVIEW, interview.pk, interview_data(interview)))
    card = Scorecard.objects.select_for_update().filter(interview_id=interview.pk).first()
    if card is not None and card.state != ScorecardState.PENDING:
        card.state = ScorecardState.PENDING
        card.save(update_fields=["state", "updated_at"])
        changes.append(Change(EventType.SCORECARD, card.pk, scorecard_data(card)))
    return changes


# --- Insights -----------------------------------------------------------------


@transaction.atomic
def insight_update(
    *, insight: AIInsight, used: bool | None = None, dismissed: bool | None = None, by=None
) -> AIInsight:
    """The interviewer marks a suggestion used, or dismisses a wrong insight."""
    interview = _locked(insight.interview_id, "candidate_id")
    row = AIInsight.objects.select_for_update().get(pk=insight.pk)
    was_counted = not row.dismissed and row.superseded_at is None
    fields = []
    if used is not None and row.used != used:
        row.used = used
        fields.append("used")
    if dismissed is not None and row.dismissed != dismissed:
        row.dismissed = dismissed
        fields.append("dismissed")
    if fields:
        row.save(update_fields=fields)
        events_append(
            interview_id=row.interview_id,
            changes=[
                Change(EventType.INSIGHT, row.pk, {**insight_data(row), "was_counted": was_counted})
            ],
        )
        audit_interview(
            action=AuditAction.INSIGHT_UPDATED,
            actor=by,
            interview=interview,
            object_type="ai_insight",
            object_id=row.pk,
            details={name: getattr(row, name) for name in fields},
        )
    return row


# --- Scheduling -----------------------------------------------------------------


@transaction.atomic
def interview_schedule(
    *,
    candidate,
    interviewer,
    scheduled_at,
    job_position=None,
    language: str = "es",
) -> Interview:
    """Put a new interview on the calendar for `interviewer` (the dashboard's
    current user). No live page watches an interview before it exists, so there is
    nothing to append to the event log yet."""
    if job_position is not None and job_position.status == JobPositionStatus.CLOSED:
        # A closed position is no longer hiring: an interview for it is a mistake.
        raise ValidationError(
            {"job_position": _("This position is closed: reopen it before scheduling.")}
        )
    interview = Interview(
        candidate=candidate,
        interviewer=interviewer,
        job_position=job_position,
        scheduled_at=scheduled_at,
        language=language,
        status=InterviewStatus.SCHEDULED,
    )
    interview.full_clean()
    interview.save()
    return interview
