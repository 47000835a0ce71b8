"""The application under test, plus `GET /__sockets__`: what this server process
still holds for websockets (feed subscribers, consumer objects, relays with an
upstream task). Test-only: the real-process tests start Daphne with
`Server(..., app=PROBE_APP)` to count what a bug would leak; production never
imports this module."""

from __future__ import annotations

import gc
import json

from interview_companion.asgi import application as app_under_test

PROBE_APP = "tests.socket_probe:application"
PROBE_PATH = "/__sockets__"


def _counts() -> dict[str, int]:
    from accounts.websocket import open_sockets
    from interviews.live.audio import InterviewAudioConsumer
    from interviews.live.consumers import InterviewFeedConsumer
    from interviews.live.fanout import fanout
    from interviews.live.relay import DeepgramRelay

    gc.collect()
    objects = gc.get_objects()
    feed = fanout()
    return {
        "feed_listeners": sum(len(listeners) for listeners in feed.listeners.values()),
        "feed_subscriptions": len(feed.pumps),
        "feed_consumers": sum(isinstance(o, InterviewFeedConsumer) for o in objects),
        "audio_consumers": sum(isinstance(o, InterviewAudioConsumer) for o in objects),
        "relays_running": sum(
            isinstance(o, DeepgramRelay) and o._task is not None and not o._task.done()
            for o in objects
        ),
        "guarded_sockets": open_sockets(),
    }


async def application(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == PROBE_PATH:
        body = json.dumps(_counts()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return
    await app_under_test(scope, receive, send)
