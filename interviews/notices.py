"""The candidate notice: what is read to the candidate before recording, and
their answer.

Services and reads about notices live here, beside the lifecycle services they
gate (`interview_transition` asks `notice_missing`); the checks that refuse
recording after a declined notice read `Interview.recording_declined`, which is on
the interview row every writer already holds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditAction
from audit.services import audit_interview
from interviews.live.events import Change, events_append
from interviews.live.payloads import interview_data
from interviews.models import (
    CandidateNotice,
    EventType,
    Interview,
    Language,
    NoticeChannel,
    NoticeDecision,
    NoticeText,
)
from interviews.notice_texts import FIRST_VERSION


class NoticeError(Exception):
    """A notice that cannot be recorded (answered 400 or 409, see `status`)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def notice_text_current(language: str | None) -> NoticeText:
    """The latest version of the notice in `language`, else in Spanish (the
    product's default language); the first version if there is none at all."""
    for code in dict.fromkeys([language or Language.SPANISH, Language.SPANISH]):
        text = NoticeText.objects.filter(language=code).order_by("-version").first()
        if text is not None:
            return text
    code = language if language in FIRST_VERSION else Language.SPANISH
    text, _created = NoticeText.objects.get_or_create(
        version=1, language=code, defaults={"text": FIRST_VERSION[code]}
    )
    return text


def notice_missing(interview: Interview) -> bool:
    """Must the candidate's answer be recorded before the interview goes live?"""
    return settings.CANDIDATE_NOTICE_REQUIRED and interview.notice_decision is None


def notice_missing_message() -> str:
    return _(
        "Read the candidate notice and record the candidate's answer (agreed or "
        "declined) before starting the interview."
    )


def recording_declined_message() -> str:
    return _(
        "The candidate declined the notice: this interview is not recorded, "
        "transcribed or analysed."
    )


@transaction.atomic
def notice_record(*, interview: Interview, decision: str, channel: str, by) -> CandidateNotice:
    """Record that the candidate was told, and what they answered.

    The latest answer counts (a candidate may change their mind before or during
    the interview); every answer is kept. Not after the interview is over: the
    notice is about what happens during it.
    """
    if decision not in NoticeDecision.values:
        raise NoticeError(_("'decision' must be one of: agreed, declined."))
    if channel not in NoticeChannel.values:
        raise NoticeError(_("'channel' must be one of: spoken, written, email."))
    locked = Interview.objects.select_for_update().get(pk=interview.pk)
    if locked.is_finished:
        raise NoticeError(
            _("The interview is over (“%(s)s”): its notice can no longer be recorded.")
            % {"s": locked.get_status_display()},
            status=409,
        )
    text = notice_text_current(locked.language)
    notice = CandidateNotice.objects.create(
        interview=locked,
        candidate_id=locked.candidate_id,
        notice_text=text,
        notice_version=text.version,
        language=text.language,
        decision=decision,
        channel=channel,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    locked.notice_decision = decision
    locked.save(update_fields=["notice_decision", "updated_at"])
    events_append(
        interview_id=locked.pk,
        changes=[Change(EventType.INTERVIEW, locked.pk, interview_data(locked))],
    )
    audit_interview(
        action=AuditAction.NOTICE_RECORDED,
        actor=by,
        interview=locked,
        object_type="candidate_notice",
        object_id=notice.pk,
        details={
            "decision": decision,
            "channel": channel,
            "notice_version": text.version,
            "language": text.language,
        },
    )
    return notice
