"""Every answer under /api/ is JSON: 401 without credentials (CSRF is checked before
the login, and its refusal used to be Django's HTML page), 403 with a message for a
CSRF failure, and Django's own 404 and 405 as JSON too."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.services import api_token_create
from tests.factories import AIInsightFactory

pytestmark = pytest.mark.django_db

METHODS = ["get", "post", "put", "patch", "delete"]


def call(client, method: str, path: str):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, data="{}", content_type="application/json")


def api_paths(interview, insight) -> list[str]:
    """Every API view's URL (and a missing insight): an unknown /api/ path is a 404
    before anyone is asked to sign in."""
    return [
        *(
            f"/api/interviews/{interview.pk}/{name}/"
            for name in ("transition", "transcripts", "roles", "notice")
        ),
        f"/api/insights/{insight.pk}/",
        "/api/insights/999999/",
    ]


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    return body


def test_an_anonymous_transition_without_origin_is_a_401_in_json(interview):
    browserless = Client(enforce_csrf_checks=True)

    response = browserless.post(
        f"/api/interviews/{interview.pk}/transition/",
        data='{"to": "live"}',
        content_type="application/json",
    )

    assert assert_json_error(response, 401) == {"error": "Authentication required."}
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_a_signed_in_call_without_the_csrf_token_is_a_403_saying_what_to_send(alice, interview):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)

    response = browser.post(
        f"/api/interviews/{interview.pk}/transition/",
        data='{"to": "live"}',
        content_type="application/json",
    )

    assert "X-CSRFToken" in assert_json_error(response, 403)["error"]
    interview.refresh_from_db()
    assert interview.status == "scheduled"


def test_a_bearer_token_needs_no_csrf_token(alice, live_interview):
    _row, token = api_token_create(user=alice)
    response = Client(enforce_csrf_checks=True).post(
        f"/api/interviews/{live_interview.pk}/transition/",
        data='{"to": "completed"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("method", METHODS)
def test_every_api_answer_to_an_anonymous_caller_is_a_json_401(interview, method):
    insight = AIInsightFactory(interview=interview)
    browserless = Client(enforce_csrf_checks=True)
    for path in api_paths(interview, insight):
        assert_json_error(call(browserless, method, path), 401)
    assert_json_error(call(browserless, method, "/api/nothing-here/"), 404)


@pytest.mark.parametrize("method", METHODS)
def test_every_api_error_to_a_signed_in_caller_is_json(alice_client, interview, method):
    insight = AIInsightFactory(interview=interview)
    for path in [*api_paths(interview, insight), "/api/nothing-here/"]:
        response = call(alice_client, method, path)
        assert response["Content-Type"] == "application/json", (method, path, response.status_code)
        if response.status_code >= 400:
            assert_json_error(response, response.status_code)


def test_a_wrong_method_is_a_json_405_naming_the_allowed_one(alice_client, interview):
    response = alice_client.get(f"/api/interviews/{interview.pk}/transition/")
    body = assert_json_error(response, 405)
    assert response["Allow"] == "POST"
    assert "POST" in body["error"]


def test_a_missing_insight_and_an_unknown_api_path_are_json_404s(alice_client):
    assert_json_error(alice_client.patch("/api/insights/999999/", data="{}"), 404)
    assert_json_error(alice_client.get("/api/nothing-here/"), 404)


def test_a_page_form_without_the_csrf_token_still_gets_the_html_page(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    response = browser.post("/candidates/new/", {"name": "Ana"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
