"""Who is on the other end of a websocket.

Browsers authenticate with the session cookie and must come from an allowed
Origin (cross-site websocket hijacking is otherwise possible: browsers send cookies
with cross-origin websocket handshakes). A socket without an Origin header is not
a browser: it must present an API token as `Authorization: Bearer`. A token that
is not valid is counted against its address like a bad token over HTTP
(accounts/ratelimit.py); once the address is over its limit the socket is accepted
and closed at once with 4429 (so the client sees the code and backs off).
"""

from __future__ import annotations

from urllib.parse import urlparse

from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.http import is_same_domain

from accounts.ratelimit import token_failure
from accounts.selectors import user_for_api_token
from interview_companion.http import allowed_hosts, scope_client_address, scope_header

# The close code for a socket whose address sent too many bad tokens (like HTTP 429).
TOO_MANY_ATTEMPTS_CLOSE_CODE = 4429


def origin_allowed(origin: str) -> bool:
    parsed = urlparse(origin)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    if settings.WEBSOCKET_ALLOWED_ORIGINS:
        return origin.rstrip("/") in {o.rstrip("/") for o in settings.WEBSOCKET_ALLOWED_ORIGINS}
    patterns = allowed_hosts()
    return any(pattern == "*" or is_same_domain(parsed.hostname, pattern) for pattern in patterns)


class WebsocketAuthMiddleware:
    def __init__(self, inner) -> None:
        self.inner = inner
        self.session_stack = AuthMiddlewareStack(inner)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        origin = scope_header(scope, b"origin")
        authorization = scope_header(scope, b"authorization") or ""
        if origin is not None and not origin_allowed(origin):
            # Refused at the handshake: the browser sees a failed connection.
            await send({"type": "websocket.close", "code": 4403})
            return None
        if authorization.lower().startswith("bearer "):
            user = await database_sync_to_async(user_for_api_token)(authorization[7:].strip())
            if user is None and await sync_to_async(token_failure)(scope_client_address(scope)):
                return await _accept_and_close(receive, send, TOO_MANY_ATTEMPTS_CLOSE_CODE)
            return await self.inner({**scope, "user": user or AnonymousUser()}, receive, send)
        if origin is None:
            return await self.inner({**scope, "user": AnonymousUser()}, receive, send)
        return await self.session_stack(scope, receive, send)


async def _accept_and_close(receive, send, code: int) -> None:
    # A close before the accept reaches the client as a bare HTTP 403 (Daphne), with
    # no code; accepting first lets it read the code, as the consumers' 4401 does.
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code})
