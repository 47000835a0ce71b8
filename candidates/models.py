"""Candidates and job positions (seed tables `candidates` and `job_positions`)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.skills import fold, skill_key, skill_keys_text

jira_key_validator = RegexValidator(
    r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$",
    _("Enter a Jira issue key such as ABC-123."),
    code="invalid_jira_key",
)
JIRA_KEY_SQL_REGEX = "^[A-Z][A-Z0-9_]+-[1-9][0-9]*$"


class CandidateQuerySet(models.QuerySet):
    def with_skill(self, name: str) -> CandidateQuerySet:
        """Candidates whose CV lists the skill, however it is spelled."""
        key = skill_key(name)
        if not key:
            return self.none()
        return self.filter(skill_keys__contains=f"|{key}|")

    def search(self, text: str) -> CandidateQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        by_skill = models.Q(skill_keys__contains=f"|{skill_key(text)}|")
        # Both sides folded in Python: SQLite and PostgreSQL give the same answer.
        return self.filter(models.Q(search_text__contains=fold(text)) | by_skill)

    def with_history(self) -> CandidateQuerySet:
        """The seed's FAQ query: every interview with its scorecard, in 3 queries."""
        interviews = interviews_model()
        return self.prefetch_related(
            models.Prefetch(
                "interviews",
                queryset=interviews.objects.select_related(
                    "scorecard", "job_position", "interviewer"
                ).order_by("-scheduled_at", "-created_at"),
            )
        )


class Candidate(models.Model):
    name = models.CharField(_("name"), max_length=256)
    email = models.CharField(_("email"), max_length=256, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=50, null=True, blank=True)
    cv_url = models.TextField(_("CV URL"), null=True, blank=True)
    cv_data = models.JSONField(_("parsed CV"), null=True, blank=True)
    jira_ticket = models.CharField(
        _("Jira ticket"),
        max_length=50,
        null=True,
        blank=True,
        validators=[jira_key_validator],
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    # Added: the uploaded file, its extracted text, and the normalised skill keys
    # ("|react|python|") so skill search is the same LIKE on PostgreSQL and SQLite.
    cv_file = models.FileField(_("CV file"), upload_to="cvs/%Y/%m/", null=True, blank=True)
    cv_text = models.TextField(blank=True, default="", db_default="")
    skill_keys = models.TextField(blank=True, default="", db_default="", editable=False)
    # Name and email folded (no case, no accents) for the same reason.
    search_text = models.TextField(blank=True, default="", db_default="", editable=False)
    # Under legal hold (a claim, an inspection): retention and erasure leave the
    # candidate and everything about them alone until staff lift it.
    legal_hold = models.BooleanField(_("legal hold"), default=False, db_default=False)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        db_table = "candidates"
        ordering = ["name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(jira_ticket__isnull=True)
                | models.Q(jira_ticket="")
                | models.Q(jira_ticket__regex=JIRA_KEY_SQL_REGEX),
                name="candidates_jira_ticket_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The keys are derived from cv_data; keeping them here means no writer can
        # forget them (bulk writers call `skill_keys_text` themselves).
        self.skill_keys = skill_keys_text(self.cv_data)
        self.search_text = fold(f"{self.name} {self.email or ''}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "skill_keys", "search_text"}
        super().save(*args, **kwargs)

    @property
    def skills(self) -> list[dict]:
        return [s for s in (self.cv_data or {}).get("skills", []) if isinstance(s, dict)]


class JobPositionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")


class JobPosition(models.Model):
    Status = JobPositionStatus

    title = models.CharField(_("title"), max_length=256)
    description = models.TextField(_("description"), null=True, blank=True)
    requirements = models.JSONField(_("requirements"), null=True, blank=True)
    seniority_level = models.CharField(_("seniority level"), max_length=50, null=True, blank=True)
    location = models.CharField(_("location"), max_length=256, null=True, blank=True)
    salary_range = models.CharField(_("salary range"), max_length=100, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=50, choices=Status, default=Status.OPEN, db_default=Status.OPEN
    )
    jira_epic = models.CharField(
        _("Jira epic"), max_length=50, null=True, blank=True, validators=[jira_key_validator]
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "job_positions"
        ordering = ["title"]
        verbose_name = _("job position")
        verbose_name_plural = _("job positions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobPositionStatus.values),
                name="job_positions_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(jira_epic__isnull=True)
                | models.Q(jira_epic="")
                | models.Q(jira_epic__regex=JIRA_KEY_SQL_REGEX),
                name="job_positions_jira_epic_format",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def technical_skills(self) -> list[str]:
        return list((self.requirements or {}).get("technical_skills") or [])


def interviews_model() -> type[models.Model]:
    """The Interview model, found through the reverse relation the interviews app
    declares on Candidate (`interviews`). candidates sits below interviews and never
    imports it; the candidate's pages read their interviews through the ORM."""
    return Candidate._meta.get_field("interviews").related_model


def scorecards_model() -> type[models.Model]:
    """The Scorecard model, likewise through Interview's reverse `scorecard`."""
    return interviews_model()._meta.get_field("scorecard").related_model
