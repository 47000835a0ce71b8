"""Reads for accounts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import ApiToken, User
from .services import hash_token, looks_like_api_token


def user_for_api_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None.

    The lookup is by SHA-256 of the token through a unique index, so no secret is
    compared byte by byte in Python and timing reveals nothing about stored tokens.
    """
    if not looks_like_api_token(token):
        return None
    row = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    # Touch last_used_at at most once a minute: not a write per API call.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def user_for_clerk_id(clerk_id: str) -> User | None:
    """The user Clerk's `sub` claim names, active or not (callers say why not)."""
    return User.objects.filter(clerk_id=clerk_id).first()
