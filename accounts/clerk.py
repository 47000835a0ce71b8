"""Clerk session tokens, verified without network by Clerk's Python SDK."""

from __future__ import annotations

import logging

import httpx
from clerk_backend_api.security import authenticate_request
from clerk_backend_api.security.types import AuthenticateRequestOptions, TokenType
from django.conf import settings

from accounts.models import User

logger = logging.getLogger(__name__)

# Clerk always puts these in a session token. PyJWT checks `exp` and `nbf` only
# when present, so a token without them would otherwise never expire.
REQUIRED_CLAIMS = ("sub", "sid", "iat", "exp", "nbf", "azp")


class ClerkTokenError(Exception):
    pass


def verify_session_token(token: str) -> dict:
    """The verified claims of a Clerk session token, or ClerkTokenError.

    `jwt_key` makes the SDK verify locally with the instance's PEM key (RS256 only,
    so `alg: none` and HS256-with-the-public-key are refused); it checks `exp`,
    `nbf`, `iat` and `azp`.
    """
    if not settings.CLERK_JWT_KEY:
        raise ClerkTokenError("Clerk sign-in is not configured.")
    if not settings.CLERK_AUTHORIZED_PARTIES:
        # Without it the SDK skips the `azp` check, and a token minted for any
        # other site on the same Clerk instance would sign in here.
        raise ClerkTokenError("CLERK_AUTHORIZED_PARTIES is not set.")
    request = httpx.Request(
        "GET", "http://localhost/", headers={"Authorization": f"Bearer {token}"}
    )
    state = authenticate_request(
        request,
        AuthenticateRequestOptions(
            jwt_key=settings.CLERK_JWT_KEY,
            authorized_parties=list(settings.CLERK_AUTHORIZED_PARTIES),
            # Session tokens only: for machine tokens (`ak_`, `mt_`, `oat_`...) the
            # SDK would call Clerk's API over the network.
            accepts_token=[TokenType.SESSION_TOKEN.value],
        ),
    )
    if not state.is_signed_in or not state.payload:
        reason = state.reason.value[0] if state.reason else "invalid token"
        raise ClerkTokenError(reason)
    claims = state.payload
    if missing := [c for c in REQUIRED_CLAIMS if claims.get(c) in (None, "")]:
        raise ClerkTokenError(f"token-missing-claims: {', '.join(missing)}")
    if (
        settings.CLERK_FRONTEND_API
        and claims.get("iss") != f"https://{settings.CLERK_FRONTEND_API}"
    ):
        # The SDK does not check the issuer; with the Frontend API host known we can.
        raise ClerkTokenError("token-invalid-issuer")
    return claims


def user_for_session_token(token: str) -> User | None:
    try:
        claims = verify_session_token(token)
    except ClerkTokenError as exc:
        logger.info("Clerk session token refused: %s", exc)
        return None
    return User.objects.filter(clerk_id=claims["sub"], is_active=True).first()
