"""Failed sign-in and bearer attempts are limited (429) without locking out the
wrong people: a valid token always works; a password is limited per account and
address, and per address only at a spraying rate (accounts/ratelimit.py)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIRequest

from accounts.services import api_token_create
from conftest import PASSWORD
from interview_companion.asgi import application
from interview_companion.http import request_client_address, scope_client_address
from tests.factories import UserFactory

BAD_TOKEN = {"Authorization": "Bearer ic_" + "x" * 40}


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AUTH_RATE_LIMIT = 3
    settings.AUTH_RATE_WINDOW_SECONDS = 300


def fail_password(client, email: str) -> int:
    return client.post("/accounts/login/", {"username": email, "password": "wrong"}).status_code


def test_after_the_limit_of_failed_passwords_even_the_right_one_gets_429(client, alice, settings):
    assert [fail_password(client, alice.email) for _ in range(3)] == [200, 200, 200]

    response = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.AUTH_RATE_WINDOW_SECONDS)
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


def test_failed_bearer_tokens_are_limited_with_a_json_429(client, alice, settings):
    assert [client.get("/healthz", headers=BAD_TOKEN).status_code for _ in range(3)] == [401] * 3

    response = client.get("/api/insights/1/", headers=BAD_TOKEN)

    assert response.status_code == 429
    assert "error" in response.json()
    assert response["Retry-After"] == str(settings.AUTH_RATE_WINDOW_SECONDS)


def test_a_valid_token_works_from_an_address_flooded_with_bad_ones(client, alice):
    # One address (an office behind one NAT, or a relay host with an old token in a
    # retry loop) floods bad tokens; a colleague's valid token from it still works.
    _row, good = api_token_create(user=alice)
    for _ in range(10):
        client.get("/healthz", headers=BAD_TOKEN)
    assert client.get("/healthz", headers=BAD_TOKEN).status_code == 429

    response = client.get("/healthz", headers={"Authorization": f"Bearer {good}"})

    assert response.status_code == 200
    assert response.wsgi_request.user == alice


def test_bad_tokens_do_not_count_against_password_sign_in(client, alice):
    for _ in range(5):
        client.get("/healthz", headers=BAD_TOKEN)

    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302


def test_a_colleagues_failed_passwords_do_not_lock_out_another_account(client, alice, bob):
    # bob mistypes his password from the office address until he is refused...
    assert [fail_password(client, bob.email) for _ in range(4)] == [200, 200, 200, 429]

    # ...and alice, behind the same address, signs in as usual.
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302


def test_a_successful_sign_in_forgets_the_typos_before_it(client, alice):
    assert [fail_password(client, alice.email) for _ in range(2)] == [200, 200]
    signed_in = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    client.logout()

    # Two more typos later: two in this window, not four.
    assert [fail_password(client, alice.email) for _ in range(2)] == [200, 200]
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 302


def test_the_account_limit_ignores_the_case_of_the_email(client, alice):
    for variant in ("ALICE@example.com", "Alice@Example.com", " alice@example.COM"):
        fail_password(client, variant)

    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 429


def test_spraying_many_accounts_from_one_address_is_refused_at_the_address_limit(
    client, settings, alice
):
    settings.AUTH_PASSWORD_ADDRESS_LIMIT = 6
    sprayed = [UserFactory(email=f"user{i}@example.com") for i in range(3)]
    for user in sprayed:
        assert [fail_password(client, user.email) for _ in range(2)] == [200, 200]

    # Six failures over three accounts: every password sign-in from here waits,
    # even the right one for an account nobody guessed at (otherwise the answer
    # would tell a sprayer which password was right).
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})
    elsewhere = client.post(
        "/accounts/login/",
        {"username": alice.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 429
    assert elsewhere.status_code == 302


@pytest.mark.usefixtures("clerk_settings")
def test_failed_clerk_token_exchanges_count_too(client, session_token, other_key, alice):
    forged = session_token("user_x", key=other_key)
    assert [client.post("/auth/clerk/", {"token": forged}).status_code for _ in range(3)] == [
        401
    ] * 3

    assert client.post("/auth/clerk/", {"token": forged}).status_code == 429


@pytest.mark.usefixtures("clerk_settings")
def test_a_valid_clerk_token_signs_in_from_a_flooded_address(
    client, session_token, other_key, alice
):
    alice.clerk_id = "user_2alice000000000000000000"
    alice.save()
    forged = session_token("user_x", key=other_key)
    for _ in range(4):
        client.post("/auth/clerk/", {"token": forged})

    response = client.post("/auth/clerk/", {"token": session_token(alice.clerk_id)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


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


def forwarded_scope(*lines: bytes, path: str = "/healthz") -> dict:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "client": ("10.0.0.2", 41000),
        "headers": [(b"host", b"127.0.0.1"), *((b"x-forwarded-for", line) for line in lines)],
    }


@pytest.mark.parametrize(
    "lines",
    [
        (b"203.0.113.9",),
        (b"6.6.6.6", b"203.0.113.9"),  # a proxy that adds its own line
        (b"6.6.6.6, 7.7.7.7", b"198.51.100.1,203.0.113.9"),
        (),
    ],
)
def test_every_path_reads_the_client_address_as_django_does(settings, lines):
    settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR = True
    scope = forwarded_scope(*lines)

    django_sees = request_client_address(ASGIRequest(scope, None))

    assert scope_client_address(scope) == django_sees
    assert django_sees == ("203.0.113.9" if lines else "10.0.0.2")


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR = False

    assert scope_client_address(forwarded_scope(b"203.0.113.9")) == "10.0.0.2"


def test_a_client_behind_a_proxy_that_adds_a_line_is_one_address_in_django(settings, db):
    # Two X-Forwarded-For lines through the ASGI application: the client's own
    # (different every time) and the proxy's. Django must count them against the
    # proxy's last hop, not escape the limit by varying the first line.
    settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR = True

    def get(spoofed: bytes) -> int:
        communicator = HttpCommunicator(
            application,
            "GET",
            "/healthz",
            headers=[
                (b"host", b"127.0.0.1"),
                (b"authorization", BAD_TOKEN["Authorization"].encode()),
                (b"x-forwarded-for", spoofed),
                (b"x-forwarded-for", b"203.0.113.9"),
            ],
        )
        return async_to_sync(communicator.get_response)(timeout=10)["status"]

    assert [get(f"6.6.6.{i}".encode()) for i in range(4)] == [401, 401, 401, 429]
