from __future__ import annotations

from django.urls import path

from . import api, views

app_name = "interviews"

urlpatterns = [
    path("api/interviews/<int:interview_id>/transition/", api.transition, name="api_transition"),
    path("api/interviews/<int:interview_id>/transcripts/", api.transcripts, name="api_transcripts"),
    path("api/interviews/<int:interview_id>/roles/", api.roles, name="api_roles"),
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
