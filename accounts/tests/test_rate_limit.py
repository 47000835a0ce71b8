"""Failed sign-in and bearer attempts are limited per client address (429)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AUTH_RATE_LIMIT = 3
    settings.AUTH_RATE_WINDOW_SECONDS = 300


def fail_password(client, email: str) -> int:
    return client.post("/accounts/login/", {"username": email, "password": "wrong"}).status_code


def test_after_the_limit_of_failed_passwords_even_the_right_one_gets_429(client, alice):
    assert [fail_password(client, alice.email) for _ in range(3)] == [200, 200, 200]

    response = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert not response.wsgi_request.user.is_authenticated


def test_failures_count_per_client_address(client, alice):
    for _ in range(3):
        fail_password(client, alice.email)

    response = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302


def test_successful_sign_ins_are_not_counted(client, alice):
    for _ in range(5):
        assert (
            client.post(
                "/accounts/login/", {"username": alice.email, "password": PASSWORD}
            ).status_code
            == 302
        )
        client.logout()


def test_the_admin_password_form_shares_the_limit(client, charlie):
    for _ in range(3):
        client.post("/admin/login/", {"username": charlie.email, "password": "wrong"})

    response = client.post("/admin/login/", {"username": charlie.email, "password": PASSWORD})

    assert response.status_code == 429


def test_failed_bearer_tokens_are_limited_with_a_json_429(client, alice):
    from accounts.services import api_token_create

    _row, good = api_token_create(user=alice)
    bad = {"Authorization": "Bearer ic_" + "x" * 40}
    assert [client.get("/healthz", headers=bad).status_code for _ in range(3)] == [401] * 3

    response = client.get(
        "/api/interviews/1/transcripts/", headers={"Authorization": f"Bearer {good}"}
    )

    assert response.status_code == 429
    assert "error" in response.json()


@pytest.mark.usefixtures("clerk_settings")
def test_failed_clerk_token_exchanges_count_too(client, session_token, other_key, alice):
    forged = session_token("user_x", key=other_key)
    assert [client.post("/auth/clerk/", {"token": forged}).status_code for _ in range(3)] == [
        401
    ] * 3

    assert client.post("/auth/clerk/", {"token": forged}).status_code == 429


def test_behind_a_proxy_the_last_forwarded_hop_is_the_client(client, settings, alice):
    settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR = True
    for _ in range(3):
        client.post(
            "/accounts/login/",
            {"username": alice.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9",
        )

    # A client cannot escape by inventing earlier hops...
    spoofed = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9",
    )
    # ...while another client behind the same proxy is unaffected.
    other = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )

    assert spoofed.status_code == 429
    assert other.status_code == 302
