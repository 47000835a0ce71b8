"""Clerk session tokens, verified without network by Clerk's Python SDK."""

from __future__ import annotations

import logging

import httpx
from clerk_backend_api.security import authenticate_request
from clerk_backend_api.security.types import AuthenticateRequestOptions
from django.conf import settings

from .models import User

logger = logging.getLogger(__name__)


class ClerkTokenError(Exception):
    pass


def verify_session_token(token: str) -> dict:
    """The verified claims of a Clerk session token, or ClerkTokenError.

    `jwt_key` makes the SDK verify locally with the instance's PEM key (RS256 only,
    so `alg: none` is refused); it checks `exp`, `nbf` and `azp`.
    """
    if not settings.CLERK_JWT_KEY:
        raise ClerkTokenError("Clerk sign-in is not configured.")
    request = httpx.Request(
        "GET", "http://localhost/", headers={"Authorization": f"Bearer {token}"}
    )
    state = authenticate_request(
        request,
        AuthenticateRequestOptions(
            jwt_key=settings.CLERK_JWT_KEY,
            authorized_parties=settings.CLERK_AUTHORIZED_PARTIES or None,
        ),
    )
    if not state.is_signed_in or not state.payload:
        raise ClerkTokenError(str(state.reason or "invalid token"))
    return state.payload


def user_for_session_token(token: str) -> User | None:
    try:
        claims = verify_session_token(token)
    except ClerkTokenError as exc:
        logger.info("Clerk session token refused: %s", exc)
        return None
    return User.objects.filter(clerk_id=claims.get("sub", ""), is_active=True).first()
