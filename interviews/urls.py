from __future__ import annotations

from django.urls import path

from interviews import api, views
from interviews.live import views as live_views
from interviews.scorecards import views as scorecard_views

app_name = "interviews"

urlpatterns = [
    path("api/interviews/<int:interview_id>/transition/", api.transition, name="api_transition"),
    path("api/interviews/<int:interview_id>/transcripts/", api.transcripts, name="api_transcripts"),
    path("api/interviews/<int:interview_id>/roles/", api.roles, name="api_roles"),
    path("api/interviews/<int:interview_id>/notice/", api.notice, name="api_notice"),
    path("api/insights/<int:insight_id>/", api.insight, name="api_insight"),
    path("interviews/<int:interview_id>/live/", views.live, name="live"),
    # Dashboard pages
    path("interviews/", views.interview_list_page, name="list"),
    path("interviews/new/", views.interview_new, name="new"),
    path("interviews/<int:interview_id>/", views.interview_detail, name="detail"),
    path(
        "interviews/<int:interview_id>/transcript/",
        views.transcript_older,
        name="transcript_older",
    ),
    path("interviews/<int:interview_id>/status/", views.interview_status, name="status"),
    path("compare/", views.compare, name="compare"),
]

# Transcript import (live/views.py).
urlpatterns += [
    path(
        "interviews/<int:interview_id>/import/",
        live_views.transcript_import_page,
        name="import_transcript",
    ),
]

# Scorecards: actions, history, reports and the CSV export (scorecards/views.py).
urlpatterns += [
    path(
        "interviews/<int:interview_id>/scorecard/regenerate/",
        scorecard_views.regenerate,
        name="scorecard_regenerate",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/notes/",
        scorecard_views.notes,
        name="scorecard_notes",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/adjust/",
        scorecard_views.adjust,
        name="scorecard_adjust",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/decision/",
        scorecard_views.decision,
        name="scorecard_decision",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/jira/",
        scorecard_views.send_to_jira,
        name="scorecard_jira",
    ),
    path(
        "interviews/<int:interview_id>/scorecard/history/",
        scorecard_views.history,
        name="scorecard_history",
    ),
    path("interviews/<int:interview_id>/report/", scorecard_views.report, name="report"),
    path("interviews/<int:interview_id>/report.pdf", scorecard_views.report_pdf, name="report_pdf"),
    path("scorecards/export.csv", scorecard_views.export_csv, name="scorecards_export"),
]
