"""Interviews and what they produce (seed tables `interviews`, `transcripts`,
`ai_insights`, `scorecards`), plus the event log the live page replays from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.requirements import DIMENSIONS

# The scorecard's dimensions (one list, shared with the position's weights).
SCORE_DIMENSIONS = DIMENSIONS


class InterviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    LIVE = "live", _("Live")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The whole lifecycle: scheduled -> live -> completed, scheduled|live -> cancelled.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    InterviewStatus.SCHEDULED: frozenset({InterviewStatus.LIVE, InterviewStatus.CANCELLED}),
    InterviewStatus.LIVE: frozenset({InterviewStatus.COMPLETED, InterviewStatus.CANCELLED}),
    InterviewStatus.COMPLETED: frozenset(),
    InterviewStatus.CANCELLED: frozenset(),
}


class Language(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class SpeakerRole(models.TextChoices):
    HOST = "host", _("Interviewer")
    GUEST = "guest", _("Candidate")


class InsightType(models.TextChoices):
    RED_FLAG = "red-flag", _("Red flag")
    GREEN_FLAG = "green-flag", _("Green flag")
    SUGGESTION = "suggestion", _("Suggestion")
    NOTE = "note", _("Note")
    CONTRADICTION = "contradiction", _("Contradiction")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")
    SUCCESS = "success", _("Success")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    EVASIVE = "evasive", _("Evasive")


class Recommendation(models.TextChoices):
    HIRE = "hire", _("Hire")
    NO_HIRE = "no_hire", _("No hire")
    MAYBE = "maybe", _("Maybe")


class ScorecardState(models.TextChoices):
    PENDING = "pending", _("Pending")
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class NoticeDecision(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    DECLINED = "declined", _("Declined")


class NoticeChannel(models.TextChoices):
    SPOKEN = "spoken", _("Read aloud")
    WRITTEN = "written", _("In writing")
    EMAIL = "email", _("By email")


class EventType(models.TextChoices):
    TRANSCRIPT = "transcript"
    INSIGHT = "insight"
    ROLES = "roles"
    INTERVIEW = "interview"
    SCORECARD = "scorecard"


PROTECTED_QUESTION_TOPIC = "protected_question"


def _in(field: str, choices: type[models.TextChoices], *, nullable: bool = False) -> models.Q:
    q = models.Q(**{f"{field}__in": choices.values})
    return q | models.Q(**{f"{field}__isnull": True}) if nullable else q


def _between(field: str, low: float, high: float) -> models.Q:
    return models.Q(**{f"{field}__isnull": True}) | models.Q(
        **{f"{field}__gte": low, f"{field}__lte": high}
    )


class InterviewQuerySet(models.QuerySet):
    def live(self) -> InterviewQuerySet:
        return self.filter(status=InterviewStatus.LIVE)

    def with_people(self) -> InterviewQuerySet:
        return self.select_related("candidate", "interviewer", "job_position")


class Interview(models.Model):
    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="interviews",
        verbose_name=_("candidate"),
    )
    # The seed forbids deleting a user who has interviews (RESTRICT in the database).
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interviews",
        verbose_name=_("interviewer"),
    )
    job_position = models.ForeignKey(
        "candidates.JobPosition",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("job position"),
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=InterviewStatus,
        default=InterviewStatus.SCHEDULED,
        db_default=InterviewStatus.SCHEDULED,
    )
    roles = models.JSONField(_("roles"), null=True, blank=True)
    roles_assigned = models.BooleanField(
        _("roles assigned"), null=True, default=False, db_default=False
    )
    stt_provider = models.CharField(_("STT provider"), max_length=50, null=True, blank=True)
    ai_provider = models.CharField(_("AI provider"), max_length=50, null=True, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        null=True,
        choices=Language,
        default=Language.SPANISH,
        db_default=Language.SPANISH,
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    # Added: role detection confidence (0-100), the last event-log seq handed out
    # (the row lock on this interview makes seq gap-free), and the analysis running
    # state (flags raised, requirements covered, scores) committed with each chunk.
    roles_confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    analysis_state = models.JSONField(default=dict, db_default={}, blank=True)
    # The candidate's latest answer to the notice (the history is candidate_notices),
    # kept on the row every writer locks anyway: ingest, the audio relay and the
    # analysis runner check it without another query.
    notice_decision = models.CharField(
        _("notice"), max_length=20, null=True, blank=True, choices=NoticeDecision
    )

    objects = InterviewQuerySet.as_manager()

    class Meta:
        db_table = "interviews"
        ordering = ["-scheduled_at", "-created_at"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.CheckConstraint(
                condition=_in("status", InterviewStatus), name="interviews_status_valid"
            ),
            models.CheckConstraint(
                condition=_in("language", Language, nullable=True),
                name="interviews_language_valid",
            ),
            models.CheckConstraint(
                condition=_between("roles_confidence", 0, 100),
                name="interviews_roles_confidence_range",
            ),
            models.CheckConstraint(
                condition=_in("notice_decision", NoticeDecision, nullable=True),
                name="interviews_notice_decision_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="idx_interviews_status_sched"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.candidate.name if self.candidate_id else ''}".strip()

    def can_be_changed_by(self, user) -> bool:
        """Any interviewer reads every interview (a team tool); only its interviewer,
        or staff, change it."""
        return bool(user.is_authenticated and (user.is_staff or self.interviewer_id == user.pk))

    def can_transition_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS.get(self.status, frozenset())

    @property
    def recording_declined(self) -> bool:
        """The candidate declined the notice: nothing is transcribed or analysed."""
        return self.notice_decision == NoticeDecision.DECLINED

    @property
    def is_finished(self) -> bool:
        return self.status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED)

    def role_of(self, speaker: str | None) -> str | None:
        """The role of a diarised speaker under the current mapping."""
        if not speaker or not self.roles:
            return None
        for role, who in self.roles.items():
            if who == speaker:
                return role
        return None


class TranscriptQuerySet(models.QuerySet):
    def chronological(self) -> TranscriptQuerySet:
        return self.order_by("timestamp", "id")

    def final(self) -> TranscriptQuerySet:
        return self.filter(is_interim=False)

    def pending_analysis(self) -> TranscriptQuerySet:
        """Final chunks the analysis has not committed yet (partial index)."""
        return self.filter(is_interim=False, analyzed_at__isnull=True)


class Transcript(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="transcripts")
    timestamp = models.DateTimeField(default=timezone.now, db_default=Now())
    text = models.TextField()
    speaker = models.CharField(max_length=50, null=True, blank=True)
    speaker_role = models.CharField(max_length=50, null=True, blank=True, choices=SpeakerRole)
    is_interim = models.BooleanField(null=True, default=False, db_default=False)
    confidence = models.IntegerField(null=True, blank=True)

    # Added: the chunk's identity (interview, Deepgram request_id, channel, start in
    # ms, speaker run) so interim results update one row and re-deliveries change
    # nothing; the offset in the audio for display and talk time; and the analysis
    # progress marker, committed together with the chunk's insights.
    request_id = models.CharField(max_length=128, default="", db_default="")
    channel_index = models.PositiveSmallIntegerField(default=0, db_default=0)
    start_ms = models.IntegerField(default=0, db_default=0)
    end_ms = models.IntegerField(default=0, db_default=0)
    # Speech time of this row (a speaker run of a final may be part of a segment).
    duration_ms = models.IntegerField(default=0, db_default=0)
    # Milliseconds into the interview: Deepgram's `start` restarts at 0 with every
    # connection, so the connection's own start within the interview is added.
    offset_ms = models.IntegerField(default=0, db_default=0)
    run = models.PositiveSmallIntegerField(default=0, db_default=0)
    analyzed_at = models.DateTimeField(null=True, blank=True)
    # Deepgram said the speaker finished here (`speech_final`, or an `UtteranceEnd`
    # after this row): the answer this row ends can be analysed without waiting.
    speech_final = models.BooleanField(default=False, db_default=False)

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        db_table = "transcripts"
        ordering = ["timestamp", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_between("confidence", 0, 100), name="transcripts_confidence_range"
            ),
            models.CheckConstraint(
                condition=_in("speaker_role", SpeakerRole, nullable=True),
                name="transcripts_speaker_role_valid",
            ),
            models.UniqueConstraint(
                fields=["interview", "request_id", "channel_index", "start_ms", "run"],
                name="transcripts_chunk_identity",
            ),
        ]
        indexes = [
            models.Index(fields=["interview", "timestamp"], name="idx_transcripts_interview_ts"),
            # The analysis runner's "next pending final chunk" lookup.
            models.Index(
                fields=["interview", "id"],
                name="idx_transcripts_pending",
                condition=models.Q(analyzed_at__isnull=True, is_interim=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker or '?'}: {self.text[:60]}"


class AIInsightQuerySet(models.QuerySet):
    def current(self) -> AIInsightQuerySet:
        """Insights derived under the interview's current roles: a superseded one
        (analysed while the roles were wrong) stays readable in the admin only."""
        return self.filter(superseded_at__isnull=True)

    def counting(self) -> AIInsightQuerySet:
        """Insights that may count for or against the candidate."""
        return self.current().filter(dismissed=False).exclude(topic=PROTECTED_QUESTION_TOPIC)


class AIInsight(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="insights")
    type = models.CharField(max_length=50, choices=InsightType)
    severity = models.CharField(max_length=20, null=True, blank=True, choices=Severity)
    content = models.TextField()
    suggestion = models.TextField(null=True, blank=True)
    topic = models.CharField(max_length=100, null=True, blank=True)
    evidence = models.TextField(null=True, blank=True)
    response_quality = models.IntegerField(null=True, blank=True)
    sentiment = models.CharField(max_length=20, null=True, blank=True, choices=Sentiment)
    score = models.JSONField(null=True, blank=True)
    used = models.BooleanField(null=True, default=False, db_default=False)
    timestamp = models.DateTimeField(default=timezone.now, db_default=Now())

    # Added: the chunk the insight came from, and the interviewer's "this is wrong"
    # (a dismissed insight stays visible, greyed, and never counts).
    transcript = models.ForeignKey(
        Transcript, on_delete=models.SET_NULL, null=True, blank=True, related_name="insights"
    )
    dismissed = models.BooleanField(default=False, db_default=False)
    # Added: when the roles this insight was derived under were changed (detection
    # revised its guess, or a person swapped or set them). A superseded insight
    # leaves the feed, the timeline and the scorecard; its chunk is analysed again.
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = AIInsightQuerySet.as_manager()

    class Meta:
        db_table = "ai_insights"
        ordering = ["timestamp", "id"]
        verbose_name = _("AI insight")
        verbose_name_plural = _("AI insights")
        constraints = [
            models.CheckConstraint(
                condition=_in("type", InsightType), name="ai_insights_type_valid"
            ),
            models.CheckConstraint(
                condition=_in("severity", Severity, nullable=True),
                name="ai_insights_severity_valid",
            ),
            models.CheckConstraint(
                condition=_in("sentiment", Sentiment, nullable=True),
                name="ai_insights_sentiment_valid",
            ),
            models.CheckConstraint(
                condition=_between("response_quality", 1, 10),
                name="ai_insights_response_quality_range",
            ),
        ]
        indexes = [
            models.Index(fields=["interview", "timestamp"], name="idx_insights_interview_ts"),
            models.Index(fields=["interview", "type"], name="idx_insights_interview_type"),
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.content[:60]}"


class Scorecard(models.Model):
    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="scorecard")
    attitude = models.IntegerField(null=True, blank=True)
    communication = models.IntegerField(null=True, blank=True)
    technical = models.IntegerField(null=True, blank=True)
    strategic = models.IntegerField(null=True, blank=True)
    leadership = models.IntegerField(null=True, blank=True)
    english = models.IntegerField(null=True, blank=True)
    overall_score = models.FloatField(null=True, blank=True)
    recommendation = models.TextField(null=True, blank=True)
    strengths = models.JSONField(null=True, blank=True)
    weaknesses = models.JSONField(null=True, blank=True)
    summary = models.TextField(null=True, blank=True)
    notes = models.TextField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    # Added: generation progress, the AI's own scores beside the interviewer's hand
    # adjustments (the dimension columns hold the effective value), the
    # interviewer's decision kept apart from the AI's recommendation, and a version
    # counter for the history table.
    state = models.CharField(
        max_length=20,
        choices=ScorecardState,
        default=ScorecardState.PENDING,
        db_default=ScorecardState.PENDING,
    )
    failure_reason = models.TextField(blank=True, default="", db_default="")
    ai_scores = models.JSONField(default=dict, db_default={}, blank=True)
    manual_scores = models.JSONField(default=dict, db_default={}, blank=True)
    provider = models.CharField(max_length=50, blank=True, default="", db_default="")
    # The model and prompt (or rules) version behind the AI's columns, as they were
    # when generated: the report's "How this assessment was made".
    ai_model = models.CharField(max_length=100, blank=True, default="", db_default="")
    prompt_version = models.CharField(max_length=50, blank=True, default="", db_default="")
    version = models.PositiveIntegerField(default=0, db_default=0)
    generated_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, null=True, blank=True, choices=Recommendation)
    decision_reason = models.TextField(blank=True, default="", db_default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "scorecards"
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            *[
                models.CheckConstraint(
                    condition=_between(dim, 1, 10), name=f"scorecards_{dim}_range"
                )
                for dim in SCORE_DIMENSIONS
            ],
            models.CheckConstraint(
                condition=_between("overall_score", 1.0, 10.0),
                name="scorecards_overall_score_range",
            ),
            models.CheckConstraint(
                condition=models.Q(recommendation__isnull=True)
                | models.Q(recommendation__regex=r"^(hire|no_hire|maybe): "),
                name="scorecards_recommendation_format",
            ),
            models.CheckConstraint(
                condition=_in("state", ScorecardState), name="scorecards_state_valid"
            ),
            models.CheckConstraint(
                condition=_in("decision", Recommendation, nullable=True),
                name="scorecards_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard #{self.interview_id}"

    @property
    def recommendation_verdict(self) -> str | None:
        if not self.recommendation:
            return None
        return self.recommendation.split(":", 1)[0].strip()

    @property
    def recommendation_reason(self) -> str:
        if not self.recommendation or ":" not in self.recommendation:
            return ""
        return self.recommendation.split(":", 1)[1].strip()

    def dimension_scores(self) -> dict[str, int | None]:
        return {dim: getattr(self, dim) for dim in SCORE_DIMENSIONS}

    @property
    def decision_differs_from_ai(self) -> bool:
        verdict = self.recommendation_verdict
        return bool(self.decision and verdict and self.decision != verdict)

    def ai_visible_to(self, user) -> bool:
        """May `user` see the AI's recommendation and overall score yet?

        With AI_RECOMMENDATION_AFTER_DECISION (the default) the interviewers see
        them only once a decision with its reason is recorded, so the person
        decides first and is not anchored by the machine; staff always see both.
        """
        return getattr(user, "is_staff", False) or self.ai_visible_to_everyone

    @property
    def ai_visible_to_everyone(self) -> bool:
        """Is the AI's verdict visible to every viewer of the interview (the live
        feed's events go to all of them alike)?"""
        if not settings.AI_RECOMMENDATION_AFTER_DECISION:
            return True
        return bool(self.decision and self.decision_reason)


class ScorecardVersion(models.Model):
    """A scorecard as it stood before a regeneration replaced it."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "scorecard_versions"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "version"], name="scorecard_versions_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Scorecard #{self.scorecard_id} v{self.version}"


class InterviewEvent(models.Model):
    """The live feed's log: every change a live page must see, with a gap-free seq
    per interview, appended in the same transaction as the change itself."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=20, choices=EventType)
    object_id = models.IntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "interview_events"
        ordering = ["interview", "seq"]
        constraints = [
            # Also the index the catch-up query (seq > N) walks.
            models.UniqueConstraint(fields=["interview", "seq"], name="interview_events_seq"),
            models.CheckConstraint(condition=_in("type", EventType), name="interview_events_type"),
        ]

    def __str__(self) -> str:
        return f"#{self.interview_id}/{self.seq} {self.type}"


class NoticeText(models.Model):
    """What the interviewer reads to the candidate before recording, one row per
    version and language. A version that has been read to someone is never edited
    (the admin makes it read-only): staff add the next version instead."""

    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10, choices=Language)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)

    class Meta:
        db_table = "notice_texts"
        ordering = ["-version", "language"]
        verbose_name = _("notice text")
        verbose_name_plural = _("notice texts")
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="notice_texts_unique"),
            models.CheckConstraint(
                condition=_in("language", Language), name="notice_texts_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.language})"


class CandidateNotice(models.Model):
    """The candidate was told (this version, in this language, this way) and
    answered. Every answer is kept; the latest is on `interviews.notice_decision`."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="notices")
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="notices"
    )
    notice_text = models.ForeignKey(NoticeText, on_delete=models.PROTECT, related_name="notices")
    notice_version = models.PositiveIntegerField(_("notice version"))
    language = models.CharField(_("language"), max_length=10, choices=Language)
    decision = models.CharField(_("decision"), max_length=20, choices=NoticeDecision)
    channel = models.CharField(_("channel"), max_length=20, choices=NoticeChannel)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_default=Now())

    class Meta:
        db_table = "candidate_notices"
        ordering = ["interview", "recorded_at", "id"]
        verbose_name = _("candidate notice")
        verbose_name_plural = _("candidate notices")
        constraints = [
            models.CheckConstraint(
                condition=_in("decision", NoticeDecision), name="candidate_notices_decision_valid"
            ),
            models.CheckConstraint(
                condition=_in("channel", NoticeChannel), name="candidate_notices_channel_valid"
            ),
            models.CheckConstraint(
                condition=_in("language", Language), name="candidate_notices_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.interview_id} {self.decision} (v{self.notice_version} {self.language})"
