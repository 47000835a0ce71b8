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
    """The active users of those bearer tokens that are valid, in one query."""
    return {token: row.user for token, row in api_tokens_for(tokens).items()}


def api_token_for(token: str) -> ApiToken | None:
    """The valid token row (with its active user) a bearer token names, or None."""
    return api_tokens_for([token]).get(token)


def api_tokens_for(tokens: Iterable[str]) -> dict[str, ApiToken]:
    """The valid token rows of those bearer tokens, with their active users, in
    one query.

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
    found: dict[str, ApiToken] = {}
    stale: list[int] = []
    for row in rows:
        found[by_hash[row.token_hash]] = row
        # Touch last_used_at at most once a minute: not a write per API call.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            stale.append(row.pk)
    if stale:
        ApiToken.objects.filter(pk__in=stale).update(last_used_at=now)
    return found


def credentials_withdrawn(
    *, user_ids: Iterable[int], token_ids: Iterable[int]
) -> tuple[set[int], set[int]]:
    """Of these users and API tokens, those that may no longer be used: users
    deactivated or deleted, tokens revoked, deleted or whose user is. Two queries
    whatever the number of ids (the open-socket registry asks every few seconds)."""
    user_ids, token_ids = set(user_ids), set(token_ids)
    active_users = set(
        User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True)
    )
    valid_tokens = set(
        ApiToken.objects.filter(
            pk__in=token_ids, revoked_at__isnull=True, user__is_active=True
        ).values_list("pk", flat=True)
    )
    return user_ids - active_users, token_ids - valid_tokens


def user_for_clerk_id(clerk_id: str) -> User | None:
    """The user Clerk's `sub` claim names, active or not (callers say why not)."""
    return User.objects.filter(clerk_id=clerk_id).first()
