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
]
