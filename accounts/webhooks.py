"""`POST /webhooks/clerk/`: Clerk's user events, signed by svix."""

from __future__ import annotations

import binascii
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from svix.webhooks import Webhook, WebhookVerificationError

from accounts.clerk_sync import (
    ClerkEvent,
    ClerkPayloadError,
    ClerkSyncConflict,
    clerk_event_apply,
    parse_event,
)
from accounts.models import ProcessedWebhook
from interview_companion.http import UnreadableJSON, json_parse

logger = logging.getLogger(__name__)

SVIX_ID_MAX_LENGTH = ProcessedWebhook._meta.get_field("svix_id").max_length
# 9999-12-31T23:59:59.999Z in ms. Clerk's timestamps are ms since the epoch; a
# larger one (signed, but not from Clerk's clock) overflows the bigint column
# and Python's datetime.
MAX_CLERK_MS = 253_402_300_799_999


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _check_times(event: ClerkEvent) -> None:
    times = [event.timestamp]
    if event.user is not None:
        times += [event.user.updated_at, event.user.created_at]
    if any(t is not None and t > MAX_CLERK_MS for t in times):
        raise ClerkPayloadError("A timestamp is past the year 9999.")


@csrf_exempt  # Clerk is not a browser: the svix signature is the authentication.
@login_not_required
@require_POST
def clerk_webhook(request: HttpRequest) -> JsonResponse:
    secret = settings.CLERK_WEBHOOK_SECRET
    if not secret:
        return _error("The Clerk webhook is not configured (CLERK_WEBHOOK_SECRET).", 503)
    try:
        verifier = Webhook(secret)
    except (binascii.Error, ValueError, RuntimeError, TypeError):
        logger.error("CLERK_WEBHOOK_SECRET is not a valid svix secret (whsec_...)")
        return _error("The Clerk webhook is misconfigured.", 503)

    headers = {
        name: request.headers.get(name, "")
        for name in ("svix-id", "svix-timestamp", "svix-signature")
    }
    try:
        verifier.verify(request.body, headers)
    # svix raises plain ValueError / UnicodeDecodeError on some malformed headers
    # and bodies instead of its own error: all of them mean "not verified".
    except (WebhookVerificationError, ValueError) as exc:
        logger.warning("Clerk webhook refused: %s", exc)
        return _error(f"Invalid webhook signature: {exc}", 400)

    svix_id = headers["svix-id"]
    if len(svix_id) > SVIX_ID_MAX_LENGTH:
        return _error("svix-id is too long.", 400)
    if not (svix_id.isascii() and svix_id.isprintable()):
        return _error("svix-id must be printable ASCII.", 400)
    try:
        # json_parse also refuses nesting past Python's parser and text that no
        # column can store (NUL, lone surrogates): a signed body is not a sane one.
        # Clerk reads the answer in its dashboard, in English like the rest here.
        with translation.override("en"):
            event = parse_event(json_parse(request.body))
        _check_times(event)
    except (UnreadableJSON, ClerkPayloadError) as exc:
        return _error(f"Not a Clerk event: {exc}", 400)
    try:
        outcome = clerk_event_apply(svix_id=svix_id, event=event)
    except ClerkSyncConflict as exc:
        logger.warning("Clerk event %s (%s) not applied: %s", svix_id, event.type, exc)
        return _error(str(exc), 409)
    return JsonResponse({"status": str(outcome)})
