from __future__ import annotations

from django.urls import path

from .consumers import InterviewFeedConsumer

websocket_urlpatterns = [
    path("ws/interviews/<int:interview_id>/", InterviewFeedConsumer.as_asgi()),
]
