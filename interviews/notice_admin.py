"""The candidate notice in the admin: staff write new versions of the text; the
answers candidates gave are read-only (they are recorded on the live page or the
API, by `notice_record`)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from interviews.models import CandidateNotice, NoticeText


@admin.register(NoticeText)
class NoticeTextAdmin(admin.ModelAdmin):
    list_display = ["version", "language", "created_at", "times_read"]
    list_filter = ["language"]
    ordering = ["-version", "language"]

    @admin.display(description="notices recorded")
    def times_read(self, obj: NoticeText) -> int:
        return obj.notices.count()

    def get_readonly_fields(self, request: HttpRequest, obj: NoticeText | None = None):
        # A text someone was read is evidence: change it by adding the next version.
        if obj is not None and obj.notices.exists():
            return ["version", "language", "text"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: NoticeText | None = None) -> bool:
        if obj is not None and obj.notices.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CandidateNotice)
class CandidateNoticeAdmin(admin.ModelAdmin):
    list_display = [
        "interview",
        "decision",
        "channel",
        "notice_version",
        "language",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["decision", "channel", "language"]
    search_fields = ["=interview__id", "=candidate__id"]
    list_select_related = ["interview__candidate", "recorded_by"]
    readonly_fields = [f.name for f in CandidateNotice._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
