"""Writing the audit log: `audit_record` (`audit_interview` for an interview's things), and the retention of old entries."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AuditAction, AuditEvent

# The transaction-local switch the trigger on audit_events looks for before it lets
# a DELETE through (and then only for rows older than the retention period).
RETENTION_SETTING = "interview_companion.audit_retention"


def _actor_id(actor) -> int | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor.pk


@transaction.atomic
def audit_record(
    *,
    action: str,
    actor=None,
    object_type: str = "",
    object_id: int | None = None,
    interview_id: int | None = None,
    candidate_id: int | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one entry. Called inside the caller's transaction, so the entry
    commits (or rolls back) with the change it describes."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}")
    return AuditEvent.objects.create(
        actor_id=_actor_id(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        interview_id=interview_id,
        candidate_id=candidate_id,
        details=details or {},
    )


def audit_interview(
    *,
    action: str,
    actor,
    interview,
    object_type: str = "interview",
    object_id: int | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """An entry about something of one interview (the interview itself unless
    `object_type`/`object_id` name one of its notices, insights or scorecard),
    filed under the interview and its candidate."""
    return audit_record(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=interview.pk if object_id is None else object_id,
        interview_id=interview.pk,
        candidate_id=interview.candidate_id,
        details=details,
    )


def audit_page_view(
    *, user, action: str, interview=None, candidate_id: int | None = None, page: str = ""
) -> AuditEvent | None:
    """A person opened a page about a candidate or an interview. Machine clients
    (API tokens) never see these pages; nobody signed in records nothing."""
    if not getattr(user, "is_authenticated", False):
        return None
    if interview is not None:
        return audit_interview(
            action=action, actor=user, interview=interview, details={"page": page} if page else {}
        )
    return audit_record(
        action=action,
        actor=user,
        object_type="candidate",
        object_id=candidate_id,
        candidate_id=candidate_id,
        details={"page": page} if page else {},
    )


def audit_interviews_viewed(*, user, interviews, page: str) -> None:
    """Several interviews on one page (the comparison): one INSERT for all."""
    if not getattr(user, "is_authenticated", False) or not interviews:
        return
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_id=user.pk,
                action=AuditAction.INTERVIEW_VIEWED,
                object_type="interview",
                object_id=interview.pk,
                interview_id=interview.pk,
                candidate_id=interview.candidate_id,
                details={"page": page},
            )
            for interview in interviews
        ]
    )


def audit_retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


@transaction.atomic
def audit_events_expire(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS; returns how many (would) go.

    On PostgreSQL the trigger allows the DELETE only inside this transaction
    (SET LOCAL) and only for rows older than its own floor of 183 days.
    """
    rows = AuditEvent.objects.filter(at__lt=audit_retention_cutoff(now))
    if dry_run:
        return rows.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [RETENTION_SETTING])
    # One DELETE statement (nothing refers to these rows, so nothing to collect).
    return rows._raw_delete(rows.db)
