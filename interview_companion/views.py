from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down" here
        return f"down: {exc.__class__.__name__}"
    return "ok"


async def _channel_layer_probe() -> None:
    layer = get_channel_layer()
    # A round trip through the layer proves Redis (or memory) answers.
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    await layer.receive(channel)


def _channel_layer_state() -> str:
    layer = get_channel_layer()
    if layer is None:
        return "down: no channel layer configured"
    try:
        async_to_sync(asyncio.wait_for)(_channel_layer_probe(), 2)
    except Exception as exc:
        return f"down: {exc.__class__.__name__}"
    return "ok"


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    state = {
        "database": _database_state(),
        "database_vendor": connection.vendor,
        "channel_layer": _channel_layer_state(),
        "channel_layer_backend": type(get_channel_layer()).__name__,
    }
    healthy = state["database"] == "ok" and state["channel_layer"] == "ok"
    state["status"] = "ok" if healthy else "unavailable"
    return JsonResponse(state, status=200 if healthy else 503)
