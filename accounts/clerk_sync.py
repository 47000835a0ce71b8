"""Interviewer accounts from Clerk's `user.*` webhook events.

Clerk (through svix) delivers at least once and in no particular order, so every
rule here is about replays and reordering:

- one svix message id is applied once (`ProcessedWebhook`, written in the same
  transaction as the change it caused, so a failed attempt can be retried);
- an event carrying older user data than we hold (Clerk's `updated_at`) changes nothing;
- a deleted Clerk user leaves a `ClerkTombstone`, and no later-arriving
  `user.created` / `user.updated` brings it back.

The signature is checked by the view before anything here runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import ClerkTombstone, ProcessedWebhook, User
from accounts.revocation import sockets_revoke

logger = logging.getLogger(__name__)

USER_EVENTS = frozenset({"user.created", "user.updated", "user.deleted"})
EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
NAME_MAX_LENGTH = User._meta.get_field("name").max_length
CLERK_ID_MAX_LENGTH = User._meta.get_field("clerk_id").max_length


class ClerkPayloadError(ValueError):
    """A validly signed body that is not the shape Clerk documents."""


class ClerkSyncConflict(Exception):
    """The event is well-formed but cannot be applied (e.g. its email belongs to
    another user). Nothing is written, and Clerk's retries will meet the same
    answer until a person resolves it."""


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    DEACTIVATED = "deactivated"
    DUPLICATE = "duplicate"  # this svix message was applied before
    STALE = "stale"  # older than the data we hold
    TOMBSTONED = "tombstoned"  # about a user Clerk has deleted
    IGNORED = "ignored"  # an event type we do not sync


@dataclass(frozen=True)
class ClerkUser:
    """The part of Clerk's User object we keep."""

    clerk_id: str
    email: str
    name: str | None
    updated_at: int  # ms since epoch, Clerk's version of this user
    created_at: int | None


@dataclass(frozen=True)
class ClerkEvent:
    type: str
    timestamp: int | None  # ms since epoch, when Clerk emitted the event
    user: ClerkUser | None = None  # user.created / user.updated
    deleted_clerk_id: str | None = None  # user.deleted


# --- Parsing -------------------------------------------------------------------


def _ms(value: Any, what: str, *, required: bool = True) -> int | None:
    # bool is an int in Python; Clerk never sends one for a timestamp.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if value is None and not required:
        return None
    raise ClerkPayloadError(f"{what} must be a millisecond timestamp.")


def _clerk_id(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > CLERK_ID_MAX_LENGTH:
        raise ClerkPayloadError("data.id must be a Clerk user id.")
    if value.startswith("local:"):
        # That prefix marks users made here; Clerk never issues it.
        raise ClerkPayloadError("data.id must be a Clerk user id.")
    return value


def _primary_email(data: dict) -> str:
    addresses = data.get("email_addresses")
    primary_id = data.get("primary_email_address_id")
    if not isinstance(addresses, list):
        raise ClerkPayloadError("data.email_addresses must be a list.")
    if not isinstance(primary_id, str) or not primary_id:
        # Clerk allows phone-only users; this app needs an email (the login name).
        raise ClerkPayloadError("data.primary_email_address_id is missing: no email to sync.")
    for entry in addresses:
        if isinstance(entry, dict) and entry.get("id") == primary_id:
            email = entry.get("email_address")
            if not isinstance(email, str) or "@" not in email:
                raise ClerkPayloadError("The primary email address is not an email.")
            email = email.strip().lower()
            if len(email) > EMAIL_MAX_LENGTH:
                raise ClerkPayloadError("The primary email address is too long.")
            return email
    raise ClerkPayloadError("data.email_addresses has no entry for primary_email_address_id.")


def _name(data: dict) -> str | None:
    parts = []
    for key in ("first_name", "last_name"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ClerkPayloadError(f"data.{key} must be a string or null.")
        if value and value.strip():
            parts.append(value.strip())
    return " ".join(parts)[:NAME_MAX_LENGTH] or None


def parse_event(body: Any) -> ClerkEvent:
    """Check the event against the shape Clerk documents; raise ClerkPayloadError."""
    if not isinstance(body, dict):
        raise ClerkPayloadError("The body must be a JSON object.")
    event_type = body.get("type")
    if not isinstance(event_type, str) or not event_type:
        raise ClerkPayloadError("type must be a string.")
    if event_type not in USER_EVENTS:
        return ClerkEvent(type=event_type, timestamp=None)
    data = body.get("data")
    if not isinstance(data, dict):
        raise ClerkPayloadError("data must be an object.")
    if data.get("object", "user") != "user":
        raise ClerkPayloadError("data.object must be 'user'.")
    timestamp = _ms(body.get("timestamp"), "timestamp", required=event_type == "user.deleted")
    clerk_id = _clerk_id(data.get("id"))
    if event_type == "user.deleted":
        return ClerkEvent(type=event_type, timestamp=timestamp, deleted_clerk_id=clerk_id)
    user = ClerkUser(
        clerk_id=clerk_id,
        email=_primary_email(data),
        name=_name(data),
        updated_at=_ms(data.get("updated_at"), "data.updated_at"),
        created_at=_ms(data.get("created_at"), "data.created_at", required=False),
    )
    return ClerkEvent(type=event_type, timestamp=timestamp, user=user)


# --- Applying --------------------------------------------------------------------


def _email_taken(email: str, *, by_other_than: str) -> bool:
    return User.objects.filter(email__iexact=email).exclude(clerk_id=by_other_than).exists()


def _upsert(user_data: ClerkUser) -> Outcome:
    tombstone = ClerkTombstone.objects.filter(clerk_id=user_data.clerk_id).first()
    if tombstone is not None:
        # Clerk never reuses a user id and cannot update a deleted user, so any
        # event about a tombstoned id is a late one, whatever its own timestamps say.
        logger.info(
            "Clerk %s: user was deleted at %s; event with updated_at %s ignored",
            user_data.clerk_id,
            tombstone.deleted_at,
            user_data.updated_at,
        )
        return Outcome.TOMBSTONED
    # The row lock makes concurrent deliveries about one user take turns, so the
    # `updated_at` comparison below cannot be raced.
    user = User.objects.select_for_update().filter(clerk_id=user_data.clerk_id).first()
    if (
        user is not None
        and user.clerk_updated_at is not None
        and user_data.updated_at <= user.clerk_updated_at
    ):
        return Outcome.STALE
    if _email_taken(user_data.email, by_other_than=user_data.clerk_id):
        raise ClerkSyncConflict(
            f"Email {user_data.email} already belongs to another user; "
            "resolve it in the admin, then let Clerk retry."
        )
    if user is None:
        user = User(clerk_id=user_data.clerk_id)
        # Clerk users sign in through Clerk; a usable password would be a second door.
        user.set_unusable_password()
        if user_data.created_at is not None:
            user.created_at = datetime.fromtimestamp(user_data.created_at / 1000, tz=UTC)
        outcome = Outcome.CREATED
    else:
        outcome = Outcome.UPDATED
    # is_active / is_staff are the admin's, not Clerk's: never touched here.
    user.email = user_data.email
    user.name = user_data.name
    user.clerk_updated_at = user_data.updated_at
    try:
        # A savepoint, so a unique violation raced in by a concurrent delivery
        # (same email or same clerk_id) becomes a conflict, not a broken transaction.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ClerkSyncConflict(
            "Another delivery changed this user or email at the same time; retry later."
        ) from exc
    return outcome


def _delete(clerk_id: str, deleted_at: int) -> Outcome:
    tombstone, created = ClerkTombstone.objects.get_or_create(
        clerk_id=clerk_id, defaults={"deleted_at": deleted_at}
    )
    if not created and deleted_at < tombstone.deleted_at:
        # Keep the earliest deletion we heard of.
        tombstone.deleted_at = deleted_at
        tombstone.save(update_fields=["deleted_at"])
    user = User.objects.select_for_update().filter(clerk_id=clerk_id).first()
    if user is None:
        return Outcome.DELETED
    # Deleted or deactivated below: either way their open websockets close on commit.
    sockets_revoke(user_ids=[user.pk])
    if not user.interviews.exists():
        try:
            # PROTECT (and RESTRICT in the database) still guards an interview
            # assigned between the check above and this delete.
            with transaction.atomic():
                user.delete()
            return Outcome.DELETED
        except (ProtectedError, IntegrityError):
            pass
    # Interviews keep their interviewer: the account stays, but can no longer
    # sign in, use its sessions or its API tokens.
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return Outcome.DEACTIVATED


@transaction.atomic
def clerk_event_apply(*, svix_id: str, event: ClerkEvent) -> Outcome:
    """Apply one verified Clerk event exactly once.

    Raises ClerkSyncConflict (and writes nothing) when the event cannot be applied.
    """
    if event.type not in USER_EVENTS:
        logger.info("Clerk event %s (%s) ignored: not a user event", svix_id, event.type)
        return Outcome.IGNORED
    try:
        # The primary key serialises concurrent deliveries of one message: the
        # second waits for the first to commit, then finds the id taken.
        with transaction.atomic():
            ProcessedWebhook.objects.create(
                svix_id=svix_id, event_type=event.type, received_at=timezone.now()
            )
    except IntegrityError:
        logger.info("Clerk event %s (%s) already processed", svix_id, event.type)
        return Outcome.DUPLICATE
    if event.type == "user.deleted":
        outcome = _delete(event.deleted_clerk_id, event.timestamp)
    else:
        outcome = _upsert(event.user)
    logger.info("Clerk event %s (%s): %s", svix_id, event.type, outcome)
    return outcome
