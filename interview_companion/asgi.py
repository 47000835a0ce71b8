"""ASGI entry point: HTTP through Django, websockets through Channels.

Each server process also runs the analysis runner as a background asyncio task,
started on the first request or connection (Daphne has no lifespan events),
unless analysis runs on Celery workers (`ANALYSIS_WORKERS=celery`): then ingest
only queues a task per interview, and this process spends no CPU on analysis.
"""

from __future__ import annotations

import asyncio
import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interview_companion.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from accounts.websocket import WebsocketAuthMiddleware  # noqa: E402
from interview_companion import early_limit  # noqa: E402
from interviews.analysis.runner import runner  # noqa: E402
from interviews.live import wakeup  # noqa: E402
from interviews.live.events import bind_server_loop  # noqa: E402
from interviews.live.ingest_http import IngestEndpoint  # noqa: E402
from interviews.live.wire import SCOPE_KEY, direct_socket  # noqa: E402
from interviews.routing import websocket_urlpatterns  # noqa: E402

router = ProtocolTypeRouter(
    {
        # API-token transcript posts take the batched fast path; the rest is Django.
        "http": IngestEndpoint(django_asgi_app),
        "websocket": WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)


if settings.EARLY_BODY_LIMIT:
    # Daphne answers 413 to an oversized declared body before reading it.
    early_limit.install()

if settings.ANALYSIS_WORKERS == "celery":
    import interview_companion.celery  # noqa: F401 - the app the tasks are sent with
    from interviews.analysis.tasks import analysis_wake

    wakeup.listen(analysis_wake)

# Everything loaded so far (Django, the URLconf, Channels, Twisted) lives as long as
# the process: move it out of the collector's sight, and collect the young
# generation less often. With Python's defaults each full collection walked the
# whole heap and stalled every request ~100 ms, every few seconds under ingest load
# (README, "Performance").
gc.freeze()
gc.set_threshold(*settings.SERVER_GC_THRESHOLDS)


async def application(scope, receive, send):
    bind_server_loop(asyncio.get_running_loop())
    if (
        settings.ANALYSIS_IN_PROCESS
        and settings.ANALYSIS_WORKERS == "inprocess"
        and scope["type"] in ("http", "websocket")
    ):
        runner.ensure_started()
    if scope["type"] == "websocket":
        # Daphne's own send, before any middleware wraps it: live events are
        # written straight to this socket (interviews/live/wire.py).
        scope = {**scope, SCOPE_KEY: direct_socket(send)}
    return await router(scope, receive, send)
