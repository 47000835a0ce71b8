"""API tokens for machine clients: `create_api_token`, bearer auth, revocation."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from accounts.tokens import hash_token

TOKEN_RE = re.compile(r"^ic_[A-Za-z0-9_-]{40}$")


def create_api_token(*args: str) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue()


def test_create_api_token_prints_the_token_and_nothing_else(alice):
    printed = create_api_token("alice@example.com", "--name", "deepgram-relay")

    token = printed.removesuffix("\n")
    assert printed.count("\n") == 1
    assert TOKEN_RE.match(token)
    row = ApiToken.objects.get(user=alice)
    assert row.name == "deepgram-relay"
    # Only a hash is stored.
    assert row.token_hash == hash_token(token) and token not in row.token_hash
    assert row.prefix == token[:10]


def test_create_api_token_finds_the_user_by_email_in_any_case(alice):
    create_api_token("ALICE@Example.com")

    assert ApiToken.objects.filter(user=alice, name="").exists()


def test_create_api_token_for_an_unknown_user_exits_1_with_a_message(db):
    with pytest.raises(
        CommandError, match=re.escape("No user with email nobody@example.com")
    ) as exc:
        create_api_token("nobody@example.com")

    assert exc.value.returncode == 1
    assert not ApiToken.objects.exists()


def test_create_api_token_for_a_deactivated_user_exits_1_with_a_message(dave):
    with pytest.raises(CommandError, match="deactivated") as exc:
        create_api_token(dave.email)

    assert exc.value.returncode == 1
    assert not ApiToken.objects.exists()


def test_an_api_token_authenticates_as_its_user_and_records_its_use(client, alice):
    row, token = api_token_create(user=alice)

    response = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})

    assert response.wsgi_request.user == alice
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_revoked_token_is_refused(client, alice):
    row, token = api_token_create(user=alice)
    api_token_revoke(token=row)

    response = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_a_deactivated_users_token_is_refused(client, alice):
    _row, token = api_token_create(user=alice)
    alice.is_active = False
    alice.save()

    response = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_an_unknown_ic_token_is_refused_with_401_json(client, db):
    response = client.get(
        "/api/interviews/1/transcripts/", headers={"Authorization": "Bearer ic_" + "A" * 40}
    )

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or revoked bearer token."}


def test_a_bearer_request_needs_no_csrf_token(alice):
    from django.test import Client

    _row, token = api_token_create(user=alice)
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/accounts/logout/", headers={"Authorization": f"Bearer {token}"})

    # Not 403: a browser never sends our bearer header on its own.
    assert response.status_code != 403
