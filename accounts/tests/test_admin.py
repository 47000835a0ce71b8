"""The admin for accounts: local staff users, Clerk users read-only where Clerk
owns the data, API tokens shown once and revocable; and `createsuperuser`."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command

from accounts.models import ApiToken, User
from accounts.services import api_token_create
from accounts.tokens import hash_token
from tests.factories import UserFactory


@pytest.fixture
def root_client(client, db):
    root = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def test_createsuperuser_makes_a_local_staff_user_from_email_and_password(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-Long-admin-pass-42")

    call_command("createsuperuser", interactive=False, email="Admin@Example.com", verbosity=0)

    user = User.objects.get()
    assert user.email == "admin@example.com"
    assert re.fullmatch(r"local:[0-9a-f-]{36}", user.clerk_id)
    assert user.is_staff and user.is_superuser and user.is_active
    assert user.check_password("a-Long-admin-pass-42")


def test_the_admin_adds_a_local_staff_user_with_a_password(root_client):
    response = root_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "Recruiter@Example.com",
            "name": "Rita Recruiter",
            "is_staff": "on",
            "usable_password": "true",
            "password1": "a-Long-staff-pass-42",
            "password2": "a-Long-staff-pass-42",
        },
    )

    assert response.status_code == 302, response.content
    user = User.objects.get(email="recruiter@example.com")
    assert user.is_local and user.is_staff and not user.is_superuser
    assert user.check_password("a-Long-staff-pass-42")


def test_the_admin_refuses_an_email_that_differs_only_in_case(root_client, alice):
    response = root_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "ALICE@example.com",
            "usable_password": "true",
            "password1": "a-Long-staff-pass-42",
            "password2": "a-Long-staff-pass-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert "A user with this email already exists." in response.text
    assert User.objects.filter(email__iexact="alice@example.com").count() == 1


def test_clerk_owned_fields_are_read_only_but_access_is_editable(root_client, alice):
    clerk_id = alice.clerk_id
    url = f"/admin/accounts/user/{alice.pk}/change/"
    page = root_client.get(url)
    assert page.status_code == 200
    assert 'name="email"' not in page.text  # shown, not editable
    assert alice.email in page.text

    response = root_client.post(
        url,
        {
            "email": "hijacked@example.com",
            "name": "Someone Else",
            "clerk_id": "user_other",
            "is_staff": "on",
            "time_zone": "America/Bogota",
        },
    )

    assert response.status_code == 302, response.content
    alice.refresh_from_db()
    assert (alice.email, alice.name, alice.clerk_id) == (
        "alice@example.com",
        "Alice Interviewer",
        clerk_id,
    )
    assert not alice.is_active  # the checkbox was left unticked
    assert alice.is_staff
    assert alice.time_zone == "America/Bogota"


def test_an_api_token_made_in_the_admin_is_shown_once_and_stored_hashed(root_client, alice):
    response = root_client.post(
        "/admin/accounts/apitoken/add/", {"user": alice.pk, "name": "relay"}, follow=True
    )

    shown = [str(m) for m in get_messages(response.wsgi_request)] or [response.text]
    token = re.search(r"ic_[A-Za-z0-9_-]{40}", " ".join(shown) + response.text).group(0)
    row = ApiToken.objects.get(user=alice)
    assert row.name == "relay"
    assert row.token_hash == hash_token(token)
    # The next page does not show it again.
    assert token not in root_client.get(f"/admin/accounts/apitoken/{row.pk}/change/").text
    assert (
        root_client.get("/healthz", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_the_admin_will_not_make_a_token_for_a_deactivated_user(root_client, dave):
    response = root_client.post("/admin/accounts/apitoken/add/", {"user": dave.pk, "name": "x"})

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_the_revoke_action_revokes_selected_tokens(root_client, alice):
    row, _token = api_token_create(user=alice)
    other, _ = api_token_create(user=alice)

    response = root_client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [row.pk]},
    )

    assert response.status_code == 302
    row.refresh_from_db()
    other.refresh_from_db()
    assert row.revoked_at is not None
    assert other.revoked_at is None
