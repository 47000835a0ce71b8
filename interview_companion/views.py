from __future__ import annotations

import asyncio
import logging
import sys

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views import csrf, defaults
from django.views.decorators.http import require_GET

from interview_companion.http import (
    AUTHENTICATION_REQUIRED_MESSAGE,
    DATABASE_RETRY_AFTER_SECONDS,
    DATABASE_UNAVAILABLE_MESSAGE,
    wants_json,
)

logger = logging.getLogger(__name__)


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


def _may_see_health_details(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return True
    token = settings.HEALTHZ_TOKEN
    return bool(token) and constant_time_compare(request.headers.get("X-Healthz-Token", ""), token)


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 `{"status": "ok"}` or 503 `{"status": "unavailable"}` for a probe. Which
    part is down, the database vendor, the channel layer's backend and the
    exceptions' class names tell an attacker what runs here: only staff and a
    caller with `X-Healthz-Token: <HEALTHZ_TOKEN>` see them."""
    database = _database_state()
    channel_layer = _channel_layer_state()
    healthy = database == "ok" and channel_layer == "ok"
    state = {"status": "ok" if healthy else "unavailable"}
    if _may_see_health_details(request):
        state.update(
            database=database,
            database_vendor=connection.vendor,
            channel_layer=channel_layer,
            channel_layer_backend=type(get_channel_layer()).__name__,
        )
    response = JsonResponse(state, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: under /api/ a JSON answer, 401 when nobody is signed in.

    CsrfViewMiddleware runs before the login check, so an anonymous POST without
    an Origin was refused with Django's HTML page and 403, where an API client is
    owed "authenticate" (401). A signed-in browser without the token gets 403 and
    what to send.
    """
    if not wants_json(request):
        return csrf.csrf_failure(request, reason)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return JsonResponse({"error": AUTHENTICATION_REQUIRED_MESSAGE}, status=401)
    return JsonResponse(
        {
            "error": _(
                "CSRF check failed (%(reason)s): send the csrftoken cookie's value in "
                "the X-CSRFToken header, or use an API token."
            )
            % {"reason": reason}
        },
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database that went away is a 503 with a retry hint, not a 500.

    Django calls this while the exception is being handled, so it is still in
    sys.exc_info(); whatever raised it (a view, the session or the token lookup in
    a middleware), the client learns it may retry.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning("Database unavailable: %r", error)
        message = DATABASE_UNAVAILABLE_MESSAGE
        if wants_json(request):
            response = JsonResponse(
                {"error": message, "retry_after": DATABASE_RETRY_AFTER_SECONDS}, status=503
            )
        else:
            response = HttpResponse(message, status=503, content_type="text/plain")
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if wants_json(request):
        return JsonResponse({"error": "Internal server error."}, status=500)
    return defaults.server_error(request)
