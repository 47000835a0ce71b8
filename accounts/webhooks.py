"""`POST /webhooks/clerk/`: Clerk's user events, signed by svix."""

from __future__ import annotations

import binascii
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from svix.webhooks import Webhook, WebhookVerificationError

from accounts.clerk_sync import ClerkPayloadError, ClerkSyncConflict, clerk_event_apply, parse_event
from accounts.models import ProcessedWebhook

logger = logging.getLogger(__name__)

SVIX_ID_MAX_LENGTH = ProcessedWebhook._meta.get_field("svix_id").max_length


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


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
    try:
        event = parse_event(json.loads(request.body))
    except (ValueError, ClerkPayloadError) as exc:
        # json.JSONDecodeError and ClerkPayloadError are both ValueErrors.
        return _error(f"Not a Clerk event: {exc}", 400)
    try:
        outcome = clerk_event_apply(svix_id=svix_id, event=event)
    except ClerkSyncConflict as exc:
        logger.warning("Clerk event %s (%s) not applied: %s", svix_id, event.type, exc)
        return _error(str(exc), 409)
    return JsonResponse({"status": str(outcome)})
