"""`GET /healthz`: what a load balancer or an operator asks. Open to anonymous
callers, JSON, and 503 naming the part that is down."""

from __future__ import annotations

import socket
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


@pytest.mark.django_db
def test_healthz_answers_200_naming_the_database_and_channel_layer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["database_vendor"] == connection.vendor
    assert body["channel_layer"] == "ok"
    assert body["channel_layer_backend"]


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(
    client, django_db_blocker, tmp_path
):
    with django_db_blocker.unblock(), database_unreachable(tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"].startswith("down")
    assert "OperationalError" in body["database"]
    assert body["channel_layer"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_channel_layer_when_redis_is_down(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/14"]},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["channel_layer"].startswith("down")


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_and_only_answers_get(client):
    assert client.get("/healthz", HTTP_ACCEPT="application/json").status_code == 200
    assert client.post("/healthz").status_code == 405
