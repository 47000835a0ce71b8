"""Reads for accounts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.tokens import hash_token, looks_like_api_token


def user_for_api_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    return users_for_api_tokens([token]).get(token)


def users_for_api_tokens(tokens: Iterable[str]) -> dict[str, User]:
    """The active users of those bearer tokens that are valid, in one query.

    The lookup is by SHA-256 of the token through a unique index, so no secret is
    compared byte by byte in Python and timing reveals nothing about stored tokens.
    """
    by_hash = {hash_token(token): token for token in tokens if looks_like_api_token(token)}
    if not by_hash:
        return {}
    rows = ApiToken.objects.select_related("user").filter(
        token_hash__in=by_hash, revoked_at__isnull=True, user__is_active=True
    )
    now = timezone.now()
    users: dict[str, User] = {}
    stale: list[int] = []
    for row in rows:
        users[by_hash[row.token_hash]] = row.user
        # Touch last_used_at at most once a minute: not a write per API call.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            stale.append(row.pk)
    if stale:
        ApiToken.objects.filter(pk__in=stale).update(last_used_at=now)
    return users


def user_for_clerk_id(clerk_id: str) -> User | None:
    """The user Clerk's `sub` claim names, active or not (callers say why not)."""
    return User.objects.filter(clerk_id=clerk_id).first()
