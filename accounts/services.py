"""Writes to accounts: API tokens (the Clerk sync lives in `clerk_sync.py`)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import TOKEN_PREFIX, hash_token


@transaction.atomic
def api_token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for `user`; the plain token is returned once and never stored."""
    if not user.is_active:
        raise ValueError(f"User {user.email} is not active.")
    # token_urlsafe(30) gives exactly 40 url-safe characters.
    token = TOKEN_PREFIX + secrets.token_urlsafe(30)
    row = ApiToken.objects.create(
        user=user, name=name, token_hash=hash_token(token), prefix=token[:10]
    )
    return row, token


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
