from __future__ import annotations

from django.urls import path

from interviews.live.audio import InterviewAudioConsumer
from interviews.live.consumers import InterviewFeedConsumer

websocket_urlpatterns = [
    path("ws/interviews/<int:interview_id>/", InterviewFeedConsumer.as_asgi()),
    path("ws/interviews/<int:interview_id>/audio/", InterviewAudioConsumer.as_asgi()),
]
