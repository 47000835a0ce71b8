"""Clerk session tokens: verified offline with Clerk's SDK, then exchanged for a
Django session at `POST /auth/clerk/`, or used directly as a bearer token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from django.test import Client

from accounts.clerk import ClerkTokenError, user_for_session_token, verify_session_token
from accounts.tests.conftest import FRONTEND_API, ORIGIN

pytestmark = pytest.mark.usefixtures("clerk_settings")


@pytest.fixture
def synced(alice):
    """alice as the webhook leaves her: a Clerk id, no usable password."""
    alice.clerk_id = "user_2alice000000000000000000"
    alice.set_unusable_password()
    alice.save()
    return alice


# --- The token checks ---------------------------------------------------------------


def test_a_token_signed_by_the_instance_is_accepted(session_token):
    claims = verify_session_token(session_token("user_abc"))

    assert claims["sub"] == "user_abc"
    assert claims["azp"] == ORIGIN


def test_a_pem_key_given_on_one_line_works_too(settings, session_token):
    # Deployments often pass the PEM through an env var with the newlines lost.
    settings.CLERK_JWT_KEY = settings.CLERK_JWT_KEY.replace("\n", "")

    assert verify_session_token(session_token("user_abc"))["sub"] == "user_abc"


# Times are offsets from now in seconds, applied when the test runs (not when the
# suite is collected, minutes earlier).
@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"exp": -60, "iat": -120}, "token-expired"),
        ({"nbf": 120}, "token-not-active-yet"),
        ({"iat": 120}, "token-(iat-in-the-future|not-active-yet)"),
        ({"azp": "https://evil.example"}, "token-invalid-authorized-parties"),
        ({"azp": None}, "token-invalid-authorized-parties"),
        ({"exp": None}, "token-missing-claims"),
        ({"nbf": None}, "token-missing-claims"),
        ({"sid": None}, "token-missing-claims"),
        ({"iss": "https://clerk.someone-else.example"}, "token-invalid-issuer"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "issued-in-the-future",
        "wrong-azp",
        "no-azp",
        "no-exp",
        "no-nbf",
        "no-sid",
        "wrong-issuer",
    ],
)
def test_tokens_with_bad_claims_are_refused(session_token, claims, reason):
    now = int(time.time())
    claims = {
        k: now + v if k in ("exp", "nbf", "iat") and isinstance(v, int) else v
        for k, v in claims.items()
    }
    with pytest.raises(ClerkTokenError, match=reason):
        verify_session_token(session_token("user_abc", **claims))


def test_a_token_signed_with_another_key_is_refused(session_token, other_key):
    with pytest.raises(ClerkTokenError, match="token-invalid-signature"):
        verify_session_token(session_token("user_abc", key=other_key))


def test_an_unsigned_alg_none_token_is_refused(session_token):
    signed = session_token("user_abc")
    claims = jwt.decode(signed, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")

    with pytest.raises(ClerkTokenError):
        verify_session_token(unsigned)


def test_an_hs256_token_keyed_with_the_public_pem_is_refused(settings, session_token):
    # The classic RS256/HS256 confusion: the public key used as an HMAC secret.
    # PyJWT refuses to HMAC with a PEM key, so the forgery is built by hand.
    claims = jwt.decode(session_token("user_abc"), options={"verify_signature": False})

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(
        settings.CLERK_JWT_KEY.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    forged = f"{header}.{payload}.{b64(signature)}"

    with pytest.raises(ClerkTokenError):
        verify_session_token(forged)


def test_garbage_is_refused(session_token):
    with pytest.raises(ClerkTokenError):
        verify_session_token("not.a.jwt")


@pytest.mark.parametrize("prefix", ["ak_", "mt_", "m2m_", "oat_"])
def test_machine_token_prefixes_are_refused_without_calling_clerk(prefix):
    # The SDK would verify these over the network; only session tokens are taken.
    started = time.monotonic()
    with pytest.raises(ClerkTokenError, match="token-type-not-supported"):
        verify_session_token(prefix + "x" * 30)
    assert time.monotonic() - started < 1


def test_without_authorized_parties_every_token_is_refused(settings, session_token):
    settings.CLERK_AUTHORIZED_PARTIES = []

    with pytest.raises(ClerkTokenError, match="CLERK_AUTHORIZED_PARTIES"):
        verify_session_token(session_token("user_abc"))


def test_without_a_jwt_key_every_token_is_refused(settings, session_token):
    settings.CLERK_JWT_KEY = ""

    with pytest.raises(ClerkTokenError, match="not configured"):
        verify_session_token(session_token("user_abc"))


def test_user_for_session_token_maps_sub_to_an_active_user(synced, dave, session_token):
    dave.clerk_id = "user_2dave"
    dave.save()

    assert user_for_session_token(session_token(synced.clerk_id)) == synced
    assert user_for_session_token(session_token("user_2dave")) is None
    assert user_for_session_token(session_token("user_unknown")) is None


# --- POST /auth/clerk/ ----------------------------------------------------------------


def test_a_valid_token_opens_a_django_session_and_redirects_to_next(client, synced, session_token):
    response = client.post(
        "/auth/clerk/", {"token": session_token(synced.clerk_id), "next": "/candidates/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/candidates/"
    assert client.get("/healthz").wsgi_request.user == synced


def test_the_sign_in_page_script_gets_json_with_the_next_url(client, synced, session_token):
    response = client.post(
        "/auth/clerk/",
        {"token": session_token(synced.clerk_id), "next": "/interviews/1/live/"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"redirect": "/interviews/1/live/"}
    assert client.get("/healthz").wsgi_request.user == synced


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"token": "\\u0000"}', b"{", "\ud800".encode("utf-8", "surrogatepass")],
    ids=["nested", "nul", "malformed", "surrogate"],
)
def test_an_unreadable_json_body_is_refused_like_a_missing_token(db, client, body):
    """Nested past Python's parser (RecursionError), NUL, malformed: a 4xx, never a 500."""
    response = client.post("/auth/clerk/", body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


def test_next_pointing_at_another_site_is_ignored(client, synced, session_token):
    response = client.post(
        "/auth/clerk/", {"token": session_token(synced.clerk_id), "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_valid_token_for_a_user_not_synced_yet_gets_a_clear_403_page(db, client, session_token):
    token = session_token("user_not_synced_yet")
    response = client.post("/auth/clerk/", {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    in_spanish = client.post("/auth/clerk/", {"token": token}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 403
    assert "has not arrived here yet" in response.text
    # Translated (the catalogue's wording may change, so no exact Spanish text here).
    assert in_spanish.status_code == 403
    assert "has not arrived here yet" not in in_spanish.text
    assert "webhook" in in_spanish.text
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


def test_a_deactivated_user_is_refused_with_403(client, dave, session_token):
    dave.clerk_id = "user_2dave"
    dave.save()

    response = client.post("/auth/clerk/", {"token": session_token("user_2dave")})

    assert response.status_code == 403
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


def test_an_invalid_token_is_a_401_and_no_session(client, synced, session_token):
    expired = session_token(synced.clerk_id, exp=int(time.time()) - 60)

    response = client.post("/auth/clerk/", {"token": expired}, HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert "error" in response.json()
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


def test_a_post_without_a_token_is_a_400(db, client):
    assert client.post("/auth/clerk/", {}).status_code == 400


def test_the_exchange_needs_the_csrf_token(synced, session_token):
    # Otherwise another site could sign a visitor in as someone else (login CSRF).
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/auth/clerk/", {"token": session_token(synced.clerk_id)})

    assert response.status_code == 403
    assert not strict.get("/healthz").wsgi_request.user.is_authenticated


def test_without_clerk_configured_the_exchange_is_404(client, settings, synced, session_token):
    settings.CLERK_ENABLED = False

    response = client.post("/auth/clerk/", {"token": session_token(synced.clerk_id)})

    assert response.status_code == 404


def test_the_exchange_only_accepts_post(client):
    assert client.get("/auth/clerk/").status_code == 405


# --- Bearer -----------------------------------------------------------------------------


def test_a_clerk_session_token_as_bearer_authenticates_one_request(client, synced, session_token):
    response = client.get(
        "/healthz", headers={"Authorization": f"Bearer {session_token(synced.clerk_id)}"}
    )

    assert response.wsgi_request.user == synced
    # A bearer request does not open a session.
    assert not client.get("/healthz").wsgi_request.user.is_authenticated


def test_a_bad_clerk_bearer_token_is_a_401_json(client, synced, session_token, other_key):
    response = client.get(
        "/healthz",
        headers={"Authorization": f"Bearer {session_token(synced.clerk_id, key=other_key)}"},
    )

    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or revoked bearer token."}


def test_issuer_is_checked_against_the_frontend_api_host(settings, session_token):
    assert verify_session_token(session_token("u", iss=f"https://{FRONTEND_API}"))
    settings.CLERK_FRONTEND_API = ""
    # Without the host known there is nothing to compare with: the SDK's checks stand.
    assert verify_session_token(session_token("u", iss="https://anything.example"))
