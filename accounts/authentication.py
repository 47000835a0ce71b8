"""Authenticating bearer credentials: our API tokens, else a Clerk session token."""

from __future__ import annotations

from accounts.models import User
from accounts.selectors import user_for_api_token
from accounts.tokens import TOKEN_PREFIX

INVALID_TOKEN_MESSAGE = "Invalid or revoked bearer token."


def user_for_bearer(value: str) -> User | None:
    if value.startswith(TOKEN_PREFIX):
        return user_for_api_token(value)
    # Any other bearer value is a Clerk session token. Imported here, not for a
    # cycle: Clerk's SDK is slow to import and API-token requests never need it.
    from accounts.clerk import user_for_session_token

    return user_for_session_token(value)
