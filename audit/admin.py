"""The audit log in the admin: staff read it, filtered by candidate, interview,
actor and action; nobody adds, changes or deletes entries here."""

from __future__ import annotations

from django.contrib import admin

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "action",
        "actor",
        "object_type",
        "object_id",
        "interview_id",
        "candidate_id",
    ]
    list_filter = ["action", "actor", "candidate_id", "interview_id"]
    # "=" lookups: typing a candidate or interview id finds exactly its entries.
    search_fields = ["=candidate_id", "=interview_id", "=object_id"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    # Every staff recruiter reads the log, without a permission to be granted first.
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
