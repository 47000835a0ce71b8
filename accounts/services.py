"""Writes to accounts: API tokens, deactivation (the Clerk sync lives in
`clerk_sync.py`). Withdrawing a credential also closes the websockets opened with
it, on every server process, once the change commits (`revocation.py`)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.revocation import sockets_revoke
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


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    sockets_revoke(token_ids=[token.pk])


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """The user can no longer sign in or use their sessions and API tokens, and
    their open websockets are closed. Also called by the admin after its form
    cleared `is_active` (then only the sockets are left to close)."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    sockets_revoke(user_ids=[user.pk])
