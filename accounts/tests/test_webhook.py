"""`POST /webhooks/clerk/`: svix-verified, idempotent, order-proof user sync."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import ClerkTombstone, ProcessedWebhook, User
from accounts.tests.conftest import clerk_event, clerk_user, deleted_event, svix_headers
from tests.factories import InterviewFactory, UserFactory

CLERK_ID = "user_29w83sxmDNGwOuEthce5gg56FcC"
T0 = 1654012591835  # Clerk's example updated_at


def nothing_written() -> bool:
    return not User.objects.exists() and not ProcessedWebhook.objects.exists()


# --- Signature -------------------------------------------------------------------


def test_a_signed_user_created_event_creates_the_interviewer(db, deliver):
    response = deliver(clerk_event("user.created", clerk_user()))

    assert response.status_code == 200
    assert response.json() == {"status": "created"}
    user = User.objects.get(clerk_id=CLERK_ID)
    assert user.email == "example@example.org"  # the primary address, not the first one
    assert user.name == "Example Example"
    assert user.clerk_updated_at == T0
    assert user.is_active and not user.is_staff
    assert not user.has_usable_password()
    assert user.created_at == datetime.fromtimestamp(1654012591514 / 1000, tz=UTC)


def test_a_body_changed_after_signing_is_refused_and_nothing_is_written(db, client, webhook_secret):
    body = json.dumps(clerk_event("user.created", clerk_user()))
    headers = svix_headers(body)
    tampered = body.replace("example@example.org", "attacker@example.org")

    response = client.post(
        "/webhooks/clerk/", data=tampered, content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert "error" in response.json()
    assert nothing_written()


def test_a_body_signed_with_another_secret_is_refused(db, deliver):
    other = "whsec_" + "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0xMjM0NTY="
    response = deliver(clerk_event("user.created", clerk_user()), secret=other)

    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize("missing", ["svix-id", "svix-timestamp", "svix-signature"])
def test_a_delivery_without_each_svix_header_is_refused(db, client, webhook_secret, missing):
    body = json.dumps(clerk_event("user.created", clerk_user()))
    headers = svix_headers(body)
    del headers[missing]

    response = client.post(
        "/webhooks/clerk/", data=body, content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize("skew", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_timestamp_outside_svix_tolerance_is_refused_even_when_signed(db, deliver, skew):
    # A captured delivery replayed later (or dated ahead) is signed correctly, but
    # svix only accepts timestamps within five minutes of now.
    response = deliver(clerk_event("user.created", clerk_user()), at=datetime.now(tz=UTC) + skew)

    assert response.status_code == 400
    assert "timestamp" in response.json()["error"]
    assert nothing_written()


@pytest.mark.parametrize(
    "signature", ["garbage", "v1,not base64!!", "v1", "v2,abc", "v1,YWJj v1,ZGVm"]
)
def test_malformed_signature_headers_are_a_400_not_a_500(db, client, webhook_secret, signature):
    body = json.dumps(clerk_event("user.created", clerk_user()))
    headers = {**svix_headers(body), "svix-signature": signature}

    response = client.post(
        "/webhooks/clerk/", data=body, content_type="application/json", headers=headers
    )

    assert response.status_code == 400
    assert nothing_written()


def test_a_body_that_is_not_utf8_is_refused(db, client, webhook_secret):
    headers = svix_headers("x")
    response = client.post(
        "/webhooks/clerk/", data=b"\xff\xfe\x00", content_type="application/json", headers=headers
    )

    assert response.status_code == 400


def test_without_a_configured_secret_the_webhook_answers_503_and_writes_nothing(
    db, client, settings
):
    settings.CLERK_WEBHOOK_SECRET = ""
    body = json.dumps(clerk_event("user.created", clerk_user()))

    response = client.post(
        "/webhooks/clerk/", data=body, content_type="application/json", headers=svix_headers(body)
    )

    assert response.status_code == 503
    assert "CLERK_WEBHOOK_SECRET" in response.json()["error"]
    assert nothing_written()


def test_the_webhook_only_accepts_post(db, client, webhook_secret):
    assert client.get("/webhooks/clerk/").status_code == 405


# --- Shape -------------------------------------------------------------------------


def _without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(
    "event",
    [
        [],
        {"type": "user.created"},
        {"type": "user.created", "data": "user"},
        clerk_event("user.created", _without(clerk_user(), "id")),
        clerk_event("user.created", {**clerk_user(), "id": 42}),
        clerk_event("user.created", _without(clerk_user(), "updated_at")),
        clerk_event("user.created", {**clerk_user(), "updated_at": "yesterday"}),
        clerk_event("user.created", {**clerk_user(), "email_addresses": None}),
        clerk_event("user.created", {**clerk_user(), "primary_email_address_id": None}),
        clerk_event("user.created", {**clerk_user(), "primary_email_address_id": "idn_nope"}),
        clerk_event("user.updated", {**clerk_user(), "first_name": ["A"]}),
        clerk_event("user.updated", {**clerk_user(), "object": "organization"}),
        clerk_event("user.updated", {**clerk_user(), "id": "local:not-from-clerk"}),
        deleted_event(CLERK_ID, timestamp=T0) | {"timestamp": None},
        clerk_event("user.deleted", {"deleted": True, "object": "user"}),
    ],
    ids=[
        "not-an-object",
        "no-data",
        "data-not-object",
        "no-id",
        "id-not-string",
        "no-updated_at",
        "updated_at-not-a-number",
        "email_addresses-null",
        "no-primary-email",
        "primary-email-not-listed",
        "first_name-not-string",
        "not-a-user",
        "local-id",
        "deleted-without-timestamp",
        "deleted-without-id",
    ],
)
def test_a_signed_body_that_is_not_clerks_shape_is_a_400_and_writes_nothing(db, deliver, event):
    response = deliver(event)

    assert response.status_code == 400
    assert "error" in response.json()
    assert nothing_written()
    assert not ClerkTombstone.objects.exists()


def test_a_signed_body_that_is_not_json_is_a_400(db, deliver):
    response = deliver("this is not json")

    assert response.status_code == 400
    assert nothing_written()


def test_other_event_types_are_acknowledged_logged_and_ignored(db, deliver, caplog):
    event = clerk_event("session.created", {"id": "sess_123", "object": "session"})

    with caplog.at_level(logging.INFO, logger="accounts.clerk_sync"):
        response = deliver(event, msg_id="msg_session_1")

    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert nothing_written()
    assert "session.created" in caplog.text


# --- Replays and order -----------------------------------------------------------


def test_the_same_svix_message_is_applied_once(db, deliver):
    event = clerk_event("user.created", clerk_user())
    assert deliver(event, msg_id="msg_1").json() == {"status": "created"}
    User.objects.filter(clerk_id=CLERK_ID).update(name="Renamed by staff")

    again = deliver(event, msg_id="msg_1")

    assert again.status_code == 200
    assert again.json() == {"status": "duplicate"}
    assert User.objects.get().name == "Renamed by staff"
    assert ProcessedWebhook.objects.filter(svix_id="msg_1", event_type="user.created").exists()


def test_user_updated_changes_email_and_name(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))

    response = deliver(
        clerk_event(
            "user.updated",
            clerk_user(
                email="New@Example.org", first_name="Lucía", last_name=None, updated_at=T0 + 1
            ),
        )
    )

    assert response.json() == {"status": "updated"}
    user = User.objects.get(clerk_id=CLERK_ID)
    assert (user.email, user.name, user.clerk_updated_at) == ("new@example.org", "Lucía", T0 + 1)


def test_an_older_update_arriving_late_does_not_overwrite_newer_data(db, deliver):
    deliver(clerk_event("user.updated", clerk_user(email="newer@example.org", updated_at=T0 + 500)))

    late = deliver(
        clerk_event("user.updated", clerk_user(email="older@example.org", updated_at=T0 + 100))
    )

    assert late.status_code == 200
    assert late.json() == {"status": "stale"}
    assert User.objects.get(clerk_id=CLERK_ID).email == "newer@example.org"


def test_user_created_arriving_after_user_updated_changes_nothing(db, deliver):
    deliver(clerk_event("user.updated", clerk_user(first_name="Updated", updated_at=T0 + 500)))

    response = deliver(clerk_event("user.created", clerk_user(first_name="Original")))

    assert response.json() == {"status": "stale"}
    assert User.objects.get(clerk_id=CLERK_ID).name == "Updated Example"


def test_user_updated_for_an_unknown_user_creates_it(db, deliver):
    # The user.created delivery may still be on its way (or lost): upsert.
    response = deliver(clerk_event("user.updated", clerk_user()))

    assert response.json() == {"status": "created"}
    assert User.objects.filter(clerk_id=CLERK_ID).exists()


def test_sync_never_touches_is_active_or_is_staff(db, deliver):
    UserFactory(clerk_id=CLERK_ID, email="example@example.org", is_staff=True, is_active=False)

    deliver(clerk_event("user.updated", clerk_user(first_name="Still", updated_at=T0 + 1)))

    user = User.objects.get(clerk_id=CLERK_ID)
    assert user.name == "Still Example"
    assert user.is_staff and not user.is_active


# --- Deletion ----------------------------------------------------------------------


def test_user_deleted_deletes_a_user_without_interviews(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))

    response = deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    assert response.status_code == 200
    assert response.json() == {"status": "deleted"}
    assert not User.objects.filter(clerk_id=CLERK_ID).exists()
    assert ClerkTombstone.objects.get(clerk_id=CLERK_ID).deleted_at == T0 + 1000


def test_user_deleted_deactivates_a_user_with_interviews_and_keeps_them(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))
    user = User.objects.get(clerk_id=CLERK_ID)
    interview = InterviewFactory(interviewer=user)

    response = deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    assert response.status_code == 200
    assert response.json() == {"status": "deactivated"}
    user.refresh_from_db()
    assert not user.is_active
    interview.refresh_from_db()
    assert interview.interviewer_id == user.pk


def test_a_late_user_updated_does_not_bring_back_a_deleted_user(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))
    deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    late = deliver(clerk_event("user.updated", clerk_user(updated_at=T0 + 500)))

    assert late.status_code == 200
    assert late.json() == {"status": "tombstoned"}
    assert not User.objects.filter(clerk_id=CLERK_ID).exists()


def test_a_late_user_updated_does_not_reactivate_a_deactivated_user(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))
    InterviewFactory(interviewer=User.objects.get(clerk_id=CLERK_ID))
    deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    late = deliver(
        clerk_event("user.updated", clerk_user(first_name="Zombie", updated_at=T0 + 500))
    )

    assert late.json() == {"status": "tombstoned"}
    user = User.objects.get(clerk_id=CLERK_ID)
    assert not user.is_active
    assert user.name == "Example Example"


def test_user_created_arriving_after_user_deleted_creates_nothing(db, deliver):
    deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    response = deliver(clerk_event("user.created", clerk_user()))

    assert response.json() == {"status": "tombstoned"}
    assert not User.objects.exists()


def test_user_deleted_for_an_unknown_user_still_leaves_a_tombstone(db, deliver):
    response = deliver(deleted_event("user_never_seen", timestamp=T0))

    assert response.status_code == 200
    assert ClerkTombstone.objects.filter(clerk_id="user_never_seen").exists()


def test_a_deleted_user_loses_their_open_session_at_the_next_request(db, deliver, client):
    deliver(clerk_event("user.created", clerk_user()))
    user = User.objects.get(clerk_id=CLERK_ID)
    InterviewFactory(interviewer=user)
    client.force_login(user)
    assert client.get("/healthz").wsgi_request.user == user

    deliver(deleted_event(CLERK_ID, timestamp=T0 + 1000))

    # Django's ModelBackend refuses inactive users when it loads the session's user.
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


# --- Conflicts ---------------------------------------------------------------------


def test_an_email_that_belongs_to_another_user_is_a_409_and_nothing_is_written(db, deliver):
    UserFactory(email="example@example.org", clerk_id="user_other")

    response = deliver(clerk_event("user.created", clerk_user(email="EXAMPLE@example.org")))

    assert response.status_code == 409
    assert "example@example.org" in response.json()["error"]
    assert not User.objects.filter(clerk_id=CLERK_ID).exists()
    # Not remembered as processed: once staff resolve it, Clerk's retry applies it.
    assert not ProcessedWebhook.objects.exists()


def test_an_update_to_an_email_taken_by_another_user_changes_nothing(db, deliver):
    deliver(clerk_event("user.created", clerk_user()))
    UserFactory(email="taken@example.org", clerk_id="user_other")

    response = deliver(
        clerk_event("user.updated", clerk_user(email="taken@example.org", updated_at=T0 + 1))
    )

    assert response.status_code == 409
    user = User.objects.get(clerk_id=CLERK_ID)
    assert (user.email, user.clerk_updated_at) == ("example@example.org", T0)


@pytest.mark.postgres
def test_the_case_insensitive_email_constraint_holds_in_postgresql(db):
    from django.db import IntegrityError, transaction

    UserFactory(email="someone@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="SOMEONE@example.org", clerk_id="user_dup")
