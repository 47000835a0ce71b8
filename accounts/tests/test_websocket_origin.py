"""The Origin of a browser websocket is compared whole: scheme, host and port
(issue 17, item 8). A session cookie from any other origin is refused (4403) at
the handshake."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from interview_companion.asgi import application
from tests.factories import session_cookie_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def trusted(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "app.example.com"]
    settings.CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000", "https://*.partner.example"]
    settings.WEBSOCKET_ALLOWED_ORIGINS = []
    return settings


async def handshake(interview, user, origin: str, *extra: tuple[bytes, bytes]) -> bool | int:
    cookie = await sync_to_async(session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        f"/ws/interviews/{interview.pk}/",
        headers=[(b"origin", origin.encode()), (b"cookie", cookie), *extra],
    )
    connected, code = await communicator.connect()
    if not connected:
        return code
    output = await communicator.receive_output()
    await communicator.disconnect()
    return True if output["type"] == "websocket.send" else output["code"]


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another port on the same host
        "https://127.0.0.1",  # another scheme (and port)
        "https://127.0.0.1:8000",  # another scheme, same port
        "http://127.0.0.1",  # port 80
        "http://127.0.0.1:8000.evil.example",
        "http://evil.example",
        "http://partner.example",  # the wildcard is for subdomains, over https
        "http://app.partner.example",
        "null",
        "file://",
        "http://user@127.0.0.1:8000",
    ],
)
async def test_other_origins_are_refused(trusted, alice, live_interview, origin):
    assert await handshake(live_interview, alice, origin) == 4403


@pytest.mark.parametrize(
    "origin", ["http://127.0.0.1:8000", "http://127.0.0.1:8000/", "https://app.partner.example"]
)
async def test_trusted_origins_are_accepted(trusted, alice, live_interview, origin):
    assert await handshake(live_interview, alice, origin) is True


async def test_the_pages_own_origin_is_accepted_with_its_port_and_scheme(
    trusted, alice, live_interview
):
    host = (b"host", b"app.example.com:8443")
    assert await handshake(live_interview, alice, "http://app.example.com:8443", host) is True
    assert await handshake(live_interview, alice, "http://app.example.com:9443", host) == 4403
    assert await handshake(live_interview, alice, "https://app.example.com:8443", host) == 4403


async def test_a_host_that_is_not_allowed_is_no_origin_of_ours(trusted, alice, live_interview):
    host = (b"host", b"evil.example")
    assert await handshake(live_interview, alice, "http://evil.example", host) == 4403


async def test_behind_a_proxy_the_forwarded_scheme_counts(trusted, alice, live_interview):
    trusted.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    host = (b"host", b"app.example.com")
    https = (b"x-forwarded-proto", b"https")
    assert await handshake(live_interview, alice, "https://app.example.com", host, https) is True
    assert await handshake(live_interview, alice, "http://app.example.com", host, https) == 4403


async def test_websocket_allowed_origins_replace_the_csrf_list(trusted, alice, live_interview):
    trusted.WEBSOCKET_ALLOWED_ORIGINS = ["https://app.example.com"]
    assert await handshake(live_interview, alice, "https://app.example.com") is True
    assert await handshake(live_interview, alice, "https://app.example.com:444") == 4403
    assert await handshake(live_interview, alice, "http://127.0.0.1:8000") == 4403
