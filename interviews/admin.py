"""The recruiters' admin for interviews and what they produce.

The admin reads everything but writes only what has no service behind it. The
lifecycle (`status`, `started_at`, `completed_at`), the event-log counter and the
analysis state are read-only here: status changes go through the actions below,
which call `interview_transition`, so the admin cannot make a transition the
dashboard would refuse. Speaker roles and an insight's used/dismissed flags are
saved through their services too, so live pages see the change in their feed.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from interview_companion.admin_widgets import PrettyJSONMixin, pretty_json_display

from .models import (
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
from .services import TransitionError, insight_update, interview_set_roles, interview_transition

SCORECARD_READONLY = (
    "state",
    *SCORE_DIMENSIONS,
    "overall_score",
    "recommendation",
    "decision",
    "decision_reason",
    "decided_by",
    "decided_at",
    "provider",
    "version",
    "generated_at",
    "failure_reason",
    "updated_at",
)
# What a recruiter may correct on a scorecard. The scores are not among them: a hand
# adjustment must be recorded as such (manual_scores) to survive regeneration, which
# is the scorecard service's job, not a plain column edit.
SCORECARD_EDITABLE = ("summary", "strengths", "weaknesses", "notes")


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


class ScorecardInline(PrettyJSONMixin, admin.StackedInline):
    model = Scorecard
    fk_name = "interview"
    extra = 0
    max_num = 1
    can_delete = False
    fields = (*SCORECARD_READONLY[:9], *SCORECARD_EDITABLE, "updated_at")
    readonly_fields = SCORECARD_READONLY
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # A scorecard is generated from the transcript, never typed in from scratch.
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
    # TODO(issue 2): autocomplete_fields once candidates/accounts admins register
    # search_fields for Candidate, JobPosition and User (system check admin.E039/E040).
    raw_id_fields = ("candidate", "interviewer", "job_position")
    readonly_fields = (
        "status",
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
                "fields": ("status", "started_at", "completed_at"),
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
    actions = ("start_interviews", "complete_interviews", "cancel_interviews")

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
        super().save_model(request, obj, form, change)
        roles = form.cleaned_data.get("roles")
        if "roles" in form.changed_data and roles:
            # Through the service: it back-fills every row's speaker_role and tells
            # live pages, which a plain column save would not.
            interview_set_roles(
                interview=obj, host=roles[SpeakerRole.HOST], guest=roles[SpeakerRole.GUEST]
            )

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AIInsight:
            super().save_formset(request, form, formset, change)
            return
        for insight in formset.save(commit=False):
            insight_update(insight=insight, used=insight.used, dismissed=insight.dismissed)

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
    )
    list_filter = ("type", "severity", "sentiment", "used", "dismissed")
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
        insight_update(insight=obj, used=obj.used, dismissed=obj.dismissed)


@admin.register(Scorecard)
class ScorecardAdmin(PrettyJSONMixin, admin.ModelAdmin):
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
    fields = (
        "interview",
        *SCORECARD_READONLY[:9],
        *SCORECARD_EDITABLE,
        "ai_scores_pretty",
        "manual_scores_pretty",
        *SCORECARD_READONLY[9:],
        "versions_list",
    )
    readonly_fields = (
        "interview",
        *SCORECARD_READONLY,
        "ai_scores_pretty",
        "manual_scores_pretty",
        "versions_list",
    )

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
