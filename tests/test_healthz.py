"""`GET /healthz`: what a load balancer or an operator asks. Open to anonymous
callers with a plain JSON 200/503; which part is down, and what runs here, only for
staff and a caller with the HEALTHZ_TOKEN."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections


def closed_port() -> int:
    # Bind, read the port the kernel chose, release it: nothing listens there now.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_unreachable(tmp_path) -> Iterator[None]:
    """Point the default alias at a database that cannot be opened.

    A fresh connection object replaces the real one for the duration, so the
    test database (an in-memory SQLite one cannot even be closed safely) is left
    untouched.
    """
    real = connections["default"]
    settings_dict = {**real.settings_dict, "OPTIONS": {**real.settings_dict["OPTIONS"]}}
    if real.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "missing-dir" / "db.sqlite3")
        settings_dict["OPTIONS"].pop("init_command", None)
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=closed_port())
        settings_dict["OPTIONS"]["connect_timeout"] = 2
    broken = type(real)(settings_dict, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = real


TOKEN = "probe-token-0123456789"


@pytest.fixture
def operator(client, settings):
    """A monitoring client with the health token."""
    settings.HEALTHZ_TOKEN = TOKEN
    client.defaults["HTTP_X_HEALTHZ_TOKEN"] = TOKEN
    return client


@pytest.mark.django_db
def test_healthz_answers_200_naming_the_database_and_channel_layer(operator):
    response = operator.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["database_vendor"] == connection.vendor
    assert body["channel_layer"] == "ok"
    assert body["channel_layer_backend"]


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(
    operator, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), database_unreachable(tmp_path):
        response = operator.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("down")
    assert "OperationalError" in body["database"]
    assert body["channel_layer"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_channel_layer_when_redis_is_down(operator, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/14"]},
        }
    }

    response = operator.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["channel_layer"].startswith("down")


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_and_only_answers_get(client):
    assert client.get("/healthz", HTTP_ACCEPT="application/json").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_an_anonymous_probe_gets_only_the_status(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_an_anonymous_probe_of_a_sick_server_learns_nothing_but_503(
    client, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), database_unreachable(tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_a_wrong_token_or_an_interviewer_gets_only_the_status(client, settings, alice):
    settings.HEALTHZ_TOKEN = TOKEN
    assert client.get("/healthz", headers={"X-Healthz-Token": "guess"}).json() == {"status": "ok"}
    client.force_login(alice)
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_staff_see_the_details_without_a_token(client, charlie):
    client.force_login(charlie)
    body = client.get("/healthz").json()
    assert body["database"] == "ok" and body["channel_layer"] == "ok"
    assert body["database_vendor"] == connection.vendor


@pytest.mark.django_db
def test_a_plain_http_probe_is_not_redirected_to_https(client, settings):
    # SecurityMiddleware reads these when the client builds its handler.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301


def test_production_settings_exempt_healthz_from_the_https_redirect(tmp_path):
    """The settings module itself, as production loads it (DEBUG=false)."""
    from django.conf import settings

    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "interview_companion.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    redirect, exempt = json.loads(out.stdout.strip().splitlines()[-1])
    assert redirect is True
    assert any(re.fullmatch(pattern, "healthz") for pattern in exempt)
