"""The recruiters' admin for candidates and job positions.

The interviews app adds the candidate's interviews to this admin as an inline
(`interviews/admin.py`): candidates never imports interviews. Both admins have `search_fields`, which the interviews admin's `autocomplete_fields`
need. A CV uploaded here goes through the same service as on the dashboard.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from candidates.forms import CandidateAdminForm, JobPositionAdminForm
from candidates.models import Candidate, JobPosition
from candidates.services import candidate_cv_upload
from interview_companion.admin_widgets import pretty_json_html


class HasCVFilter(admin.SimpleListFilter):
    title = _("CV")
    parameter_name = "has_cv"

    def lookups(self, request, model_admin):
        return [("yes", _("Uploaded")), ("no", _("None"))]

    def queryset(self, request, queryset):
        uploaded = Q(cv_file__isnull=False) & ~Q(cv_file="")
        if self.value() == "yes":
            return queryset.filter(uploaded)
        if self.value() == "no":
            return queryset.exclude(uploaded)
        return queryset


class CVSourceFilter(admin.SimpleListFilter):
    title = _("CV source")
    parameter_name = "cv_source"

    def lookups(self, request, model_admin):
        return [("pdf", "PDF"), ("json_resume", "JSON Resume"), ("linkedin", "LinkedIn")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(cv_data__source=self.value())
        return queryset


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    form = CandidateAdminForm
    list_display = ["name", "email", "jira_ticket", "cv_source", "years", "created_at"]
    list_filter = [HasCVFilter, CVSourceFilter, "legal_hold", "created_at"]
    search_fields = ["name", "email", "phone", "jira_ticket", "skill_keys"]
    date_hierarchy = "created_at"
    ordering = ["name"]
    readonly_fields = ["cv_download", "cv_summary", "created_at", "cv_text"]
    fieldsets = [
        (None, {"fields": ["name", "email", "phone", "jira_ticket", "legal_hold", "created_at"]}),
        (_("CV"), {"fields": ["cv", "cv_download", "cv_summary"]}),
        (_("Parsed CV (JSON)"), {"classes": ["collapse"], "fields": ["cv_data"]}),
        (_("Extracted text"), {"classes": ["collapse"], "fields": ["cv_text"]}),
    ]

    @admin.display(description=_("CV source"), ordering="cv_data__source")
    def cv_source(self, obj: Candidate) -> str:
        return (obj.cv_data or {}).get("source") or "—"

    @admin.display(description=_("years of experience"))
    def years(self, obj: Candidate):
        return (obj.cv_data or {}).get("years_of_experience", "—")

    @admin.display(description=_("CV file"))
    def cv_download(self, obj: Candidate) -> str:
        if not obj.pk or not obj.cv_file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("candidates:cv_file", kwargs={"candidate_id": obj.pk}),
            _("Download"),
        )

    @admin.display(description=_("parsed CV"))
    def cv_summary(self, obj: Candidate) -> str:
        data = obj.cv_data or {}
        if not data:
            return "—"
        work = format_html_join(
            "",
            "<li>{} — {} ({} - {})</li>",
            (
                (
                    job.get("position") or "?",
                    job.get("company") or "?",
                    job.get("startDate") or "?",
                    job.get("endDate") or _("present"),
                )
                for job in data.get("work") or []
                if isinstance(job, dict)
            ),
        )
        skills = ", ".join(s.get("name", "") for s in obj.skills)
        return format_html(
            "<p>{}: {} · {}: {}</p><p>{}: {}</p><ul>{}</ul><details><summary>JSON</summary>"
            "{}</details>",
            _("Source"),
            data.get("source") or "—",
            _("Years of experience"),
            data.get("years_of_experience", "—"),
            _("Skills"),
            skills or "—",
            work,
            pretty_json_html(data),
        )

    def save_model(self, request, obj: Candidate, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        upload = form.cleaned_data.get("cv")
        if upload:
            # Parsed (and any error shown) in the form's clean(); this stores it.
            candidate_cv_upload(candidate=obj, uploaded_file=upload, parsed=form.parsed_cv)


@admin.register(JobPosition)
class JobPositionAdmin(admin.ModelAdmin):
    form = JobPositionAdminForm
    list_display = ["title", "status", "seniority_level", "location", "jira_epic", "updated_at"]
    list_filter = ["status", "seniority_level"]
    search_fields = ["title", "description", "location", "jira_epic"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "updated_at"]
