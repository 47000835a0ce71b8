"""The recruiters' admin for interviews and what they produce.

The admin shows everything, and every write with a rule behind it goes through the
service the dashboard uses, so the admin can neither break a rule nor keep a live
page in the dark. The lifecycle (`status`, `started_at`, `completed_at`), the
event-log counter and the analysis state are read-only: status changes are the
list's actions, which call `interview_transition`. A new interview is made by
`interview_schedule`; roles, an insight's used/dismissed marks and the scorecard's
hand adjustments, notes and decision by their services. What the pipeline writes
(transcript rows, the event log, scorecard versions) is read-only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from candidates.admin import CandidateAdmin
from candidates.models import Candidate, JobPositionStatus
from interview_companion.admin_widgets import PrettyJSONMixin, pretty_json_display
from interviews import notice_admin  # noqa: F401  (registers the notice's admin)
from interviews.live.admin import import_deepgram_transcript
from interviews.models import (
    SCORE_DIMENSIONS,
    AIInsight,
    Interview,
    InterviewEvent,
    InterviewStatus,
    Scorecard,
    ScorecardVersion,
    SpeakerRole,
    Transcript,
)
from interviews.scorecards.admin import regenerate_scorecards
from interviews.scorecards.services import (
    MAX_NOTES,
    MAX_REASON,
    ScorecardError,
    scorecard_adjust_score,
    scorecard_record_decision,
    scorecard_update_notes,
)
from interviews.services import (
    TransitionError,
    insight_update,
    interview_schedule,
    interview_set_roles,
    interview_transition,
)

SCORECARD_AI_COLUMNS = (
    "state",
    "overall_score",
    "recommendation",
    "summary",
    "strengths_pretty",
    "weaknesses_pretty",
    "provider",
    "version",
    "generated_at",
    "failure_reason",
)
# What a recruiter changes on a scorecard, each through its service: a dimension is
# a hand adjustment (kept across regenerations), the notes and the decision are the
# interviewer's own. The AI's columns are rewritten by every regeneration, so
# editing them here would be silently lost: they are shown, not edited.
SCORECARD_EDITABLE = (*SCORE_DIMENSIONS, "notes", "decision", "decision_reason")


class ReadOnlyAdminMixin:
    """Rows written only by the pipeline: visible, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class InsightMarksMixin:
    """`used` is nullable in the seed, but "unknown" means nothing to an interviewer:
    offer a checkbox instead of Django's Yes/No/Unknown select."""

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "used":
            return forms.BooleanField(required=False, label=db_field.verbose_name.capitalize())
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def _short(text: str | None, length: int = 80) -> str:
    return Truncator(text or "").chars(length)


# --- Inlines of the interview page ---------------------------------------------


class ScorecardInline(admin.StackedInline):
    """Read-only on the interview page; its own page edits it through the services."""

    model = Scorecard
    fk_name = "interview"
    extra = 0
    max_num = 1
    can_delete = False
    fields = (
        *SCORECARD_AI_COLUMNS[:6],
        *SCORE_DIMENSIONS,
        "notes",
        "decision",
        "decision_reason",
        "updated_at",
    )
    readonly_fields = fields
    show_change_link = True

    strengths_pretty = pretty_json_display("strengths", _("strengths"))
    weaknesses_pretty = pretty_json_display("weaknesses", _("weaknesses"))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # A scorecard is generated from the transcript, never typed in from scratch.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AIInsightInline(InsightMarksMixin, admin.TabularInline):
    model = AIInsight
    fk_name = "interview"
    extra = 0
    can_delete = False
    ordering = ("timestamp", "id")
    fields = (
        "timestamp",
        "type",
        "severity",
        "topic",
        "content",
        "sentiment",
        "response_quality",
        "used",
        "dismissed",
    )
    readonly_fields = fields[:-2]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Interviews ----------------------------------------------------------------


class InterviewAdminForm(forms.ModelForm):
    class Meta:
        model = Interview
        # The admin narrows this to the fieldsets minus the read-only fields.
        fields = (
            "candidate",
            "interviewer",
            "job_position",
            "language",
            "scheduled_at",
            "roles",
            "stt_provider",
        )

    def clean_job_position(self):
        position = self.cleaned_data.get("job_position")
        if self.instance.pk is None and position and position.status == JobPositionStatus.CLOSED:
            # interview_schedule refuses it too (it stays the authority); checking
            # here turns its refusal into a form error instead of a server error.
            raise ValidationError(_("This position is closed: reopen it before scheduling."))
        return position

    def clean_roles(self) -> dict | None:
        roles = self.cleaned_data.get("roles")
        if roles is None:
            if self.instance.roles:
                raise forms.ValidationError(
                    _("Roles cannot be removed once assigned; swap them instead.")
                )
            return None
        host = roles.get(SpeakerRole.HOST) if isinstance(roles, dict) else None
        guest = roles.get(SpeakerRole.GUEST) if isinstance(roles, dict) else None
        if (
            not isinstance(roles, dict)
            or set(roles) != {SpeakerRole.HOST, SpeakerRole.GUEST}
            or not isinstance(host, str)
            or not isinstance(guest, str)
            or not host
            or not guest
            or host == guest
        ):
            raise forms.ValidationError(
                _('Write the roles as {"host": "speaker_0", "guest": "speaker_1"}.')
            )
        return {SpeakerRole.HOST.value: host, SpeakerRole.GUEST.value: guest}


@admin.register(Interview)
class InterviewAdmin(PrettyJSONMixin, admin.ModelAdmin):
    form = InterviewAdminForm
    list_display = (
        "id",
        "candidate",
        "interviewer",
        "job_position",
        "status",
        "language",
        "scheduled_at",
        "overall_score",
    )
    list_display_links = ("id", "candidate")
    list_filter = (
        "status",
        "language",
        "roles_assigned",
        ("job_position", admin.RelatedOnlyFieldListFilter),
        ("interviewer", admin.RelatedOnlyFieldListFilter),
        "ai_provider",
    )
    list_select_related = ("candidate", "interviewer", "job_position", "scorecard")
    search_fields = (
        "candidate__name",
        "candidate__email",
        "interviewer__name",
        "interviewer__email",
        "job_position__title",
    )
    date_hierarchy = "scheduled_at"
    autocomplete_fields = ("candidate", "interviewer", "job_position")
    readonly_fields = (
        "status",
        "notice_decision",
        "started_at",
        "completed_at",
        "last_seq",
        "analysis_state_pretty",
        "roles_assigned",
        "roles_confidence",
        "ai_provider",
        "created_at",
        "updated_at",
        "transcript_table",
    )
    fieldsets = (
        (
            None,
            {"fields": ("candidate", "interviewer", "job_position", "language", "scheduled_at")},
        ),
        (
            _("Lifecycle"),
            {
                "fields": ("status", "notice_decision", "started_at", "completed_at"),
                "description": _(
                    "The status changes only through the actions of the interview list "
                    "(start, complete, cancel), which follow the interview lifecycle."
                ),
            },
        ),
        (
            _("Speakers"),
            {
                "fields": ("roles", "roles_assigned", "roles_confidence"),
                "description": _(
                    "Which diarised speaker is the interviewer (host) and which the "
                    'candidate (guest), e.g. {"host": "speaker_1", "guest": "speaker_0"}. '
                    "Saving relabels the whole transcript."
                ),
            },
        ),
        (
            _("Providers and analysis"),
            {
                "fields": ("stt_provider", "ai_provider", "last_seq", "analysis_state_pretty"),
                "classes": ("collapse",),
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at")}),
        (_("Transcript"), {"fields": ("transcript_table",)}),
    )
    inlines = (ScorecardInline, AIInsightInline)
    actions = (
        "start_interviews",
        "complete_interviews",
        "cancel_interviews",
        regenerate_scorecards,
        import_deepgram_transcript,
    )

    analysis_state_pretty = pretty_json_display("analysis_state", _("analysis state"))

    @admin.display(description=_("overall score"), ordering="scorecard__overall_score")
    def overall_score(self, obj: Interview) -> float | None:
        scorecard = getattr(obj, "scorecard", None)
        return scorecard.overall_score if scorecard else None

    @admin.display(description=_("transcript"))
    def transcript_table(self, obj: Interview) -> SafeString | str:
        """The transcript, read-only and in spoken order, with each speaker's role.

        Rendered as a table rather than a formset inline: an inline posts two hidden
        inputs per row, and an hour-long interview's rows would exceed
        DATA_UPLOAD_MAX_NUMBER_FIELDS and make the whole page unsaveable.
        """
        if obj is None or obj.pk is None:
            return "—"
        rows = obj.transcripts.chronological().only(
            "timestamp", "speaker", "speaker_role", "text", "is_interim", "confidence"
        )
        roles = dict(SpeakerRole.choices)
        body = format_html_join(
            "",
            '<tr class="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    "interim" if row.is_interim else "final",
                    timezone.localtime(row.timestamp).strftime("%H:%M:%S"),
                    row.speaker or "?",
                    roles.get(row.speaker_role, "—"),
                    row.text + (" …" if row.is_interim else ""),
                    "" if row.confidence is None else f"{row.confidence}%",
                )
                for row in rows
            ),
        )
        if not body:
            return _("No transcript yet.")
        return format_html(
            '<table class="transcript"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("time"),
            _("speaker"),
            _("role"),
            _("text"),
            _("confidence"),
            body,
        )

    def save_model(self, request: HttpRequest, obj: Interview, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            # A new interview is scheduled by the same service as the dashboard's.
            scheduled = interview_schedule(
                candidate=obj.candidate,
                interviewer=obj.interviewer,
                scheduled_at=obj.scheduled_at,
                job_position=obj.job_position,
                language=obj.language,
            )
            obj.pk, obj.created_at, obj.updated_at = (
                scheduled.pk,
                scheduled.created_at,
                scheduled.updated_at,
            )
            obj._state.adding = False
            if obj.stt_provider:
                obj.save(update_fields=["stt_provider"])
        roles = form.cleaned_data.get("roles")
        if "roles" in form.changed_data and roles:
            # Through the service: it back-fills every row's speaker_role and tells
            # live pages, which a plain column save would not.
            interview_set_roles(
                interview=obj,
                host=roles[SpeakerRole.HOST],
                guest=roles[SpeakerRole.GUEST],
                by=request.user,
            )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AIInsight:
            super().save_formset(request, form, formset, change)
            return
        for insight in formset.save(commit=False):
            insight_update(
                insight=insight, used=insight.used, dismissed=insight.dismissed, by=request.user
            )

    def _transition(self, request: HttpRequest, queryset: QuerySet[Interview], to: str) -> None:
        moved = 0
        for interview in queryset:
            try:
                before = interview.status
                after = interview_transition(interview=interview, to=to, by=request.user)
            except TransitionError as exc:
                self.message_user(request, f"#{interview.pk}: {exc}", messages.ERROR)
                continue
            moved += before != after.status
        if moved:
            self.message_user(
                request,
                ngettext(
                    "%(count)d interview is now “%(status)s”.",
                    "%(count)d interviews are now “%(status)s”.",
                    moved,
                )
                % {"count": moved, "status": InterviewStatus(to).label},
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Start the selected interviews (scheduled → live)"), permissions=["change"]
    )
    def start_interviews(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        self._transition(request, queryset, InterviewStatus.LIVE)

    @admin.action(
        description=_("Complete the selected interviews (live → completed)"), permissions=["change"]
    )
    def complete_interviews(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        self._transition(request, queryset, InterviewStatus.COMPLETED)

    @admin.action(description=_("Cancel the selected interviews"), permissions=["change"])
    def cancel_interviews(self, request: HttpRequest, queryset: QuerySet[Interview]) -> None:
        self._transition(request, queryset, InterviewStatus.CANCELLED)


# --- What an interview produces -------------------------------------------------


@admin.register(Transcript)
class TranscriptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a transcript row is the evidence scorecards quote verbatim."""

    list_display = (
        "timestamp",
        "interview",
        "speaker",
        "speaker_role",
        "text_short",
        "is_interim",
        "confidence",
    )
    list_filter = ("speaker_role", "is_interim")
    list_select_related = ("interview__candidate",)
    search_fields = ("text", "interview__candidate__name")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")

    @admin.display(description=_("text"))
    def text_short(self, obj: Transcript) -> str:
        return _short(obj.text)


@admin.register(AIInsight)
class AIInsightAdmin(InsightMarksMixin, PrettyJSONMixin, admin.ModelAdmin):
    list_display = (
        "timestamp",
        "interview",
        "type",
        "severity",
        "topic",
        "content_short",
        "sentiment",
        "response_quality",
        "used",
        "dismissed",
        "superseded_at",
    )
    list_filter = ("type", "severity", "sentiment", "used", "dismissed", "superseded_at")
    list_select_related = ("interview__candidate",)
    search_fields = ("content", "topic", "evidence", "suggestion", "interview__candidate__name")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")
    fields = (
        "interview",
        "transcript",
        "timestamp",
        "type",
        "severity",
        "topic",
        "content",
        "suggestion",
        "evidence",
        "sentiment",
        "response_quality",
        "score_pretty",
        "superseded_at",
        "used",
        "dismissed",
    )
    # Only the interviewer's marks are editable: the rest is what the AI said.
    readonly_fields = fields[:-2]

    score_pretty = pretty_json_display("score", _("running scores"))

    @admin.display(description=_("content"))
    def content_short(self, obj: AIInsight) -> str:
        return _short(obj.content)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AIInsight, form, change: bool) -> None:
        insight_update(insight=obj, used=obj.used, dismissed=obj.dismissed, by=request.user)


class ScorecardAdminForm(forms.ModelForm):
    class Meta:
        model = Scorecard
        fields = SCORECARD_EDITABLE
        help_texts = dict.fromkeys(
            SCORE_DIMENSIONS,
            _(
                "A hand adjustment, kept when the scorecard is regenerated. Empty it to "
                "go back to the AI's score."
            ),
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for dim in SCORE_DIMENSIONS:
            self.fields[dim] = forms.IntegerField(
                label=self.fields[dim].label,
                help_text=self.fields[dim].help_text,
                required=False,
                min_value=1,
                max_value=10,
            )
        self.fields["notes"].max_length = MAX_NOTES
        self.fields["decision_reason"].max_length = MAX_REASON

    def clean(self) -> dict:
        data = super().clean()
        # The decision service refuses a decision without a reason; say so on the form.
        if data.get("decision") and not (data.get("decision_reason") or "").strip():
            self.add_error("decision_reason", _("Give a reason for the decision."))
        return data


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    form = ScorecardAdminForm
    list_display = (
        "interview",
        "state",
        "overall_score",
        "verdict",
        "decision",
        "version",
        "updated_at",
    )
    list_filter = ("state", "decision")
    list_select_related = ("interview__candidate",)
    search_fields = ("interview__candidate__name", "recommendation", "summary", "notes")
    date_hierarchy = "updated_at"
    actions = (regenerate_scorecards,)
    fieldsets = (
        (None, {"fields": ("interview", *SCORECARD_AI_COLUMNS[:6])}),
        (
            _("Interviewer"),
            {
                "fields": (
                    *SCORE_DIMENSIONS,
                    "notes",
                    "decision",
                    "decision_reason",
                    "decided_by",
                    "decided_at",
                )
            },
        ),
        (
            _("Generation"),
            {
                "fields": (
                    "ai_scores_pretty",
                    "manual_scores_pretty",
                    *SCORECARD_AI_COLUMNS[6:],
                    "updated_at",
                    "versions_list",
                ),
                "classes": ("collapse",),
            },
        ),
    )
    readonly_fields = (
        "interview",
        *SCORECARD_AI_COLUMNS,
        "decided_by",
        "decided_at",
        "ai_scores_pretty",
        "manual_scores_pretty",
        "updated_at",
        "versions_list",
    )

    strengths_pretty = pretty_json_display("strengths", _("strengths"))
    weaknesses_pretty = pretty_json_display("weaknesses", _("weaknesses"))
    ai_scores_pretty = pretty_json_display("ai_scores", _("AI scores"))
    manual_scores_pretty = pretty_json_display("manual_scores", _("scores adjusted by hand"))

    @admin.display(description=_("recommendation"))
    def verdict(self, obj: Scorecard) -> str:
        return obj.recommendation_verdict or "—"

    @admin.display(description=_("earlier versions"))
    def versions_list(self, obj: Scorecard) -> SafeString | str:
        versions = list(obj.versions.only("id", "version", "created_at")) if obj.pk else []
        if not versions:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">v{} ({})</a>',
            (
                (
                    reverse("admin:interviews_scorecardversion_change", args=[v.pk]),
                    v.version,
                    timezone.localtime(v.created_at).strftime("%Y-%m-%d %H:%M"),
                )
                for v in versions
            ),
        )

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Scorecard, form, change: bool) -> None:
        """Each change through the service the dashboard uses: hand adjustments
        survive regeneration, and live pages are told about every one."""
        changed = set(form.changed_data)
        data = form.cleaned_data
        try:
            # A savepoint: a refusal keeps none of this save, and the admin's own
            # bookkeeping after it still runs in a healthy transaction.
            with transaction.atomic():
                for dim in SCORE_DIMENSIONS:
                    if dim in changed:
                        scorecard_adjust_score(
                            scorecard=obj, dimension=dim, value=data[dim], by=request.user
                        )
                if "notes" in changed:
                    scorecard_update_notes(
                        scorecard=obj, notes=data["notes"] or "", by=request.user
                    )
                if changed & {"decision", "decision_reason"}:
                    scorecard_record_decision(
                        scorecard=obj,
                        decision=data["decision"],
                        reason=data["decision_reason"],
                        by=request.user,
                    )
        except ScorecardError as exc:
            self.message_user(request, _("Not saved: %(error)s") % {"error": exc}, messages.ERROR)
        obj.refresh_from_db()


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("scorecard", "version", "created_at")
    list_select_related = ("scorecard",)
    search_fields = ("scorecard__interview__candidate__name",)
    date_hierarchy = "created_at"
    fields = ("scorecard", "version", "created_at", "snapshot_pretty")
    readonly_fields = fields

    snapshot_pretty = pretty_json_display("snapshot", _("snapshot"))


@admin.register(InterviewEvent)
class InterviewEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The live feed's log, for answering "what did the live page receive?"."""

    list_display = ("interview", "seq", "type", "object_id", "created_at")
    list_filter = ("type",)
    list_select_related = ("interview__candidate",)
    search_fields = ("interview__candidate__name",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = ("interview", "seq", "type", "object_id", "created_at", "data_pretty")
    readonly_fields = fields

    data_pretty = pretty_json_display("data", _("data"))


# --- The candidate admin, with its interviews ------------------------------------
# candidates sits below interviews and never imports it, so the interviews app
# contributes this inline: the candidate admin registered again, with it.


class InterviewInline(admin.TabularInline):
    """A read-only summary: interviews are edited in their own admin."""

    model = Interview
    fields = ["interview_link", "scheduled_at", "status", "interviewer", "job_position", "score"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = _("interviews")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("interviewer", "job_position", "scorecard")
        )

    @admin.display(description=_("interview"))
    def interview_link(self, obj: Interview) -> str:
        try:
            url = reverse("admin:interviews_interview_change", args=[obj.pk])
        except NoReverseMatch:  # the interviews admin is not registered
            return f"#{obj.pk}"
        return format_html('<a href="{}">#{}</a>', url, obj.pk)

    @admin.display(description=_("score"))
    def score(self, obj: Interview) -> str:
        scorecard = getattr(obj, "scorecard", None)
        if scorecard is None or scorecard.overall_score is None:
            return "—"
        return f"{scorecard.overall_score}"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(Candidate)


@admin.register(Candidate)
class CandidateWithInterviewsAdmin(CandidateAdmin):
    inlines = [*CandidateAdmin.inlines, InterviewInline]
