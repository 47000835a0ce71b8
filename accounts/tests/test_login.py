"""The sign-in page in both modes, sign-out, and losing access when deactivated."""

from __future__ import annotations

import os
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from conftest import PASSWORD


def signed_in_user(client: Client):
    return client.get("/healthz").wsgi_request.user


# --- Without Clerk (the embedded default) ----------------------------------------------


def test_the_password_form_signs_in_with_the_email_in_any_case(client, alice):
    response = client.post(
        "/accounts/login/", {"username": "ALICE@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == alice


def test_a_wrong_password_shows_the_form_again(client, alice):
    response = client.post("/accounts/login/", {"username": alice.email, "password": "nope"})

    assert response.status_code == 200
    assert not signed_in_user(client).is_authenticated


def test_a_deactivated_user_cannot_sign_in_with_a_password(client, dave):
    client.post("/accounts/login/", {"username": dave.email, "password": PASSWORD})

    assert not signed_in_user(client).is_authenticated


def test_the_sign_in_page_without_clerk_shows_the_password_form_and_no_clerk_script(db, client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert "clerk.browser.js" not in response.text


def test_sign_out_without_clerk_ends_the_session_and_goes_to_sign_in(alice_client):
    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not signed_in_user(alice_client).is_authenticated


def test_a_user_deactivated_while_signed_in_loses_access_at_the_next_request(alice_client, alice):
    assert signed_in_user(alice_client) == alice
    alice.is_active = False
    alice.save()

    assert not signed_in_user(alice_client).is_authenticated
    response = alice_client.get("/api/interviews/1/transcripts/")
    assert response.status_code == 401


# --- With Clerk ----------------------------------------------------------------------------


@pytest.mark.usefixtures("clerk_settings")
def test_the_sign_in_page_with_clerk_mounts_clerks_component_from_local_static_files(db, client):
    response = client.get("/accounts/login/?next=/candidates/")

    html = response.text
    assert response.status_code == 200
    assert 'data-clerk-action="sign-in"' in html
    assert 'name="password"' not in html
    assert "/static/vendor/clerk/clerk.browser.js" in html
    assert "/static/vendor/clerk/ui/ui.browser.js" in html
    assert "/static/js/clerk-signin.js" in html
    assert 'data-clerk-publishable-key="pk_test_' in html
    # The token form posts to the exchange with the CSRF token and the next page.
    assert 'action="/auth/clerk/"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'name="next" value="/candidates/"' in html
    # The CSP forbids inline scripts: every <script> has a src.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)


@pytest.mark.usefixtures("clerk_settings")
def test_with_clerk_the_dashboard_refuses_password_sign_in(client, alice):
    response = client.post("/accounts/login/", {"username": alice.email, "password": PASSWORD})

    assert response.status_code == 405
    assert not signed_in_user(client).is_authenticated


@pytest.mark.usefixtures("clerk_settings")
def test_with_clerk_staff_still_sign_in_to_the_admin_with_a_password(client, charlie):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": charlie.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == charlie


@pytest.mark.usefixtures("clerk_settings")
def test_sign_out_with_clerk_ends_the_session_and_runs_clerks_sign_out(alice_client):
    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 200
    assert 'data-clerk-action="sign-out"' in response.text
    assert 'data-next-url="/accounts/login/"' in response.text
    assert "/static/js/clerk-signin.js" in response.text
    assert not signed_in_user(alice_client).is_authenticated


@pytest.mark.parametrize(
    "bundle, chunk_suffix",
    [
        ("vendor/clerk/clerk.browser.js", "_clerk.browser_{hash}_6.40.0.js"),
        ("vendor/clerk/ui/ui.browser.js", "_ui_{hash}_1.36.0.js"),
    ],
)
def test_the_vendored_clerk_bundles_have_their_lazy_chunks_beside_them(bundle, chunk_suffix):
    path = finders.find(bundle)
    assert path, bundle
    with open(path, encoding="utf-8") as f:
        # Each bundle names its chunks with a build hash and loads them from its folder.
        build_hash = re.search(r'\.h=\(\)=>"([0-9a-f]{6})', f.read()).group(1)
    suffix = chunk_suffix.format(hash=build_hash)
    assert any(name.endswith(suffix) for name in os.listdir(os.path.dirname(path)))
    assert finders.find("js/clerk-signin.js")
