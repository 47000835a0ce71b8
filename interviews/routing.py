"""The websocket URLconf. A path nothing here matches is refused at the handshake
(Daphne answers 403), the way an unknown URL is a 404: Channels' router raises
instead, which Daphne turned into a 500 and an ERROR with a traceback for every
scanner that knocked."""

from __future__ import annotations

from django.urls import path, re_path

from interviews.live.audio import InterviewAudioConsumer
from interviews.live.consumers import InterviewFeedConsumer


async def refuse_unknown_path(scope, receive, send) -> None:
    await receive()  # websocket.connect
    # A close before accept is a refusal of the handshake.
    await send({"type": "websocket.close", "code": 4404})


websocket_urlpatterns = [
    path("ws/interviews/<int:interview_id>/", InterviewFeedConsumer.as_asgi()),
    path("ws/interviews/<int:interview_id>/audio/", InterviewAudioConsumer.as_asgi()),
    re_path(r"^", refuse_unknown_path),
]
