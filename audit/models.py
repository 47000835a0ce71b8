"""`audit_events`: one row per thing a person or the system did that a candidate,
a works council or a regulator may ask about later.

Rows are never changed. On PostgreSQL a trigger refuses UPDATE and DELETE (see the
migration), except the retention run's removal of rows older than
AUDIT_RETENTION_DAYS; here, `save` and `delete` refuse the same for code that goes
through the ORM on any database.

Candidate, interview and actor are plain ids, not foreign keys: the trail must
survive the erasure of what it is about (and a foreign key would make the database
update or delete these rows when the candidate goes).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    NOTICE_RECORDED = "notice.recorded", _("Notice recorded")
    INTERVIEW_TRANSITION = "interview.transition", _("Interview status changed")
    ROLES_CHANGED = "interview.roles", _("Speaker roles changed")
    INSIGHT_UPDATED = "insight.updated", _("Insight marked used or dismissed")
    SCORECARD_GENERATED = "scorecard.generated", _("Scorecard generated")
    SCORECARD_ADJUSTED = "scorecard.adjusted", _("Score adjusted by hand")
    SCORECARD_NOTES = "scorecard.notes", _("Notes saved")
    SCORECARD_DECISION = "scorecard.decision", _("Decision recorded")
    CANDIDATE_VIEWED = "candidate.viewed", _("Candidate page viewed")
    INTERVIEW_VIEWED = "interview.viewed", _("Interview page viewed")
    EXPORT_PDF = "export.pdf", _("PDF report exported")
    EXPORT_CSV = "export.csv", _("Scorecards exported as CSV")
    EXPORT_CANDIDATE = "export.candidate", _("Candidate data exported")
    JIRA_HANDOFF = "jira.handoff", _("Scorecard sent to Jira")
    CANDIDATE_ERASED = "candidate.erased", _("Candidate erased")
    RETENTION_RUN = "retention.run", _("Retention run")


class AuditEventQuerySet(models.QuerySet):
    def about_candidate(self, candidate_id: int, interview_ids=()) -> AuditEventQuerySet:
        return self.filter(
            models.Q(candidate_id=candidate_id) | models.Q(interview_id__in=list(interview_ids))
        )


class AuditEvent(models.Model):
    # No database constraint: the trail outlives users too, and deleting a user
    # must never try to change these rows.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction)
    object_type = models.CharField(_("object type"), max_length=40, blank=True, default="")
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    interview_id = models.IntegerField(_("interview id"), null=True, blank=True)
    candidate_id = models.IntegerField(_("candidate id"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_default=Now())
    # Never transcript text, notes or reasons: codes, ids, counts and versions.
    details = models.JSONField(_("details"), default=dict, db_default={}, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "audit_events"
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_events_action_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["candidate_id", "at"], name="idx_audit_candidate_at"),
            models.Index(fields=["interview_id", "at"], name="idx_audit_interview_at"),
            # The retention run deletes the oldest rows.
            models.Index(fields=["at"], name="idx_audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("audit_events is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit_events is append-only")
