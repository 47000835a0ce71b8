"""Who is on the other end of a websocket, and for how long they may stay.

Browsers authenticate with the session cookie and must come from an allowed
Origin (cross-site websocket hijacking is otherwise possible: browsers send cookies
with cross-origin websocket handshakes). The Origin is compared whole (scheme,
host and port) with the page's own origin and the allowed origins, as Django's
CSRF check compares it for a form post. A socket without an Origin header is not
a browser: it must present an API token as `Authorization: Bearer`. A token that
is not valid is counted against its address like a bad token over HTTP
(accounts/ratelimit.py); once the address is over its limit the socket is accepted
and closed at once with 4429 (so the client sees the code and backs off).

Every authenticated socket is registered, while it is open, with its process's
`OpenSockets`: when its user is deactivated or deleted, or its API token revoked,
it is closed with 4401. The services announce a revocation over the channel layer
after commit (`revocation.py`), and each process also re-checks its sockets'
credentials against the database every `WEBSOCKET_AUTH_RECHECK_SECONDS`, so a lost
announcement or a change made behind the services' back closes them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

from accounts.ratelimit import token_failure
from accounts.revocation import REVOCATIONS_GROUP, REVOKED
from accounts.selectors import api_token_for, credentials_withdrawn
from interview_companion.http import allowed_hosts, scope_client_address, scope_header

# The close code for a socket whose address sent too many bad tokens (like HTTP 429).
TOO_MANY_ATTEMPTS_CLOSE_CODE = 4429

logger = logging.getLogger(__name__)

CLOSE_SIGNED_OUT = 4401
# The scope key of the API token a socket authenticated with (its row id).
API_TOKEN_SCOPE_KEY = "api_token_id"
DEFAULT_PORTS = {"http": 80, "https": 443}
# A process whose sockets stay open for hours says again that it listens.
REJOIN_SECONDS = 3600


# --- Origin --------------------------------------------------------------------


def _origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the port spelled out; None if it is not
    an http(s) origin (browsers send "null" for opaque ones)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.username or parts.password or parts.path not in ("", "/"):
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _page_origin(scope: dict) -> tuple[str, str, int] | None:
    """The origin of a page on this site served to the same host the socket is
    opened to: the Host header, if it is an allowed host, with the scheme the
    browser used (Daphne's websocket scope carries none: `wss` only when the scope
    says so, or behind a proxy that says so in SECURE_PROXY_SSL_HEADER)."""
    host = scope_header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host.lower())
    if not domain or not validate_host(domain, allowed_hosts()):
        return None
    secure = scope.get("scheme") in ("wss", "https")
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        forwarded = scope_header(scope, header)
        if forwarded is not None:
            secure = forwarded.split(",")[0].strip() == value
    return _origin(f"{'https' if secure else 'http'}://{host}")


def origin_allowed(origin: str, scope: dict | None = None) -> bool:
    """Whether a browser on `origin` may open a socket here: the page's own
    origin, or one of WEBSOCKET_ALLOWED_ORIGINS (CSRF_TRUSTED_ORIGINS when that is
    empty), scheme, host and port alike; `https://*.example.com` entries allow
    subdomains, as in CSRF_TRUSTED_ORIGINS."""
    parsed = _origin(origin)
    if parsed is None:
        return False
    if scope is not None and parsed == _page_origin(scope):
        return True
    scheme, _host, _port = parsed
    netloc = urlsplit(origin.strip()).netloc.lower()
    for allowed in settings.WEBSOCKET_ALLOWED_ORIGINS or settings.CSRF_TRUSTED_ORIGINS:
        if "*" in allowed:
            parts = urlsplit(allowed.strip())
            if parts.scheme == scheme and is_same_domain(
                netloc, parts.netloc.lower().removeprefix("*")
            ):
                return True
        elif _origin(allowed) == parsed:
            return True
    return False


# --- Open sockets and revocation --------------------------------------------------


@dataclass(eq=False)
class OpenSocket:
    user_id: int
    token_id: int | None
    close: Callable[[], Awaitable[None]]


class OpenSockets:
    """This process's authenticated websockets (one registry per event loop).

    While any is open it listens on the revocations group (one channel-layer
    subscription per process, not one per socket) and re-checks their credentials
    every WEBSOCKET_AUTH_RECHECK_SECONDS; with none open it does neither."""

    def __init__(self) -> None:
        self.sockets: set[OpenSocket] = set()
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()

    async def add(self, socket: OpenSocket) -> None:
        async with self.lock:
            self.sockets.add(socket)
            if self.tasks:
                return
            loop = asyncio.get_running_loop()
            self.tasks = [loop.create_task(self._listen(), name="socket-revocations")]
            if settings.WEBSOCKET_AUTH_RECHECK_SECONDS > 0:
                self.tasks.append(loop.create_task(self._recheck(), name="socket-recheck"))

    async def remove(self, socket: OpenSocket) -> None:
        async with self.lock:
            self.sockets.discard(socket)
            if self.sockets:
                return
            tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()

    async def revoke(self, *, user_ids: Iterable[int] = (), token_ids: Iterable[int] = ()) -> int:
        """Close the sockets of these users and tokens; how many were closed."""
        user_ids, token_ids = set(user_ids), set(token_ids)
        doomed = [
            socket
            for socket in list(self.sockets)
            if socket.user_id in user_ids
            or (socket.token_id is not None and socket.token_id in token_ids)
        ]
        for socket in doomed:
            try:
                await socket.close()
            except Exception:  # a socket already gone must not keep the others open
                logger.debug("Closing a revoked socket failed", exc_info=True)
        return len(doomed)

    async def _listen(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        while True:
            channel = rejoin = None
            try:
                channel = await layer.new_channel("revocations.")
                await layer.group_add(REVOCATIONS_GROUP, channel)
                rejoin = asyncio.get_running_loop().create_task(self._rejoin(layer, channel))
                while True:
                    # Never cancelled by a timeout: Redis' pub/sub layer drops a
                    # channel whose receive is cancelled.
                    message = await layer.receive(channel)
                    if message.get("type") == REVOKED:
                        await self.revoke(
                            user_ids=message.get("user_ids") or (),
                            token_ids=message.get("token_ids") or (),
                        )
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis away: the re-check covers the meantime
                logger.warning("Socket revocations lost their channel layer; retrying")
                await asyncio.sleep(1)
            finally:
                if rejoin is not None:
                    rejoin.cancel()
                if channel is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(layer.group_discard(REVOCATIONS_GROUP, channel), 1)

    @staticmethod
    async def _rejoin(layer, channel: str) -> None:
        # Channels' Redis layer forgets a group member after `group_expiry` (a day).
        while True:
            await asyncio.sleep(REJOIN_SECONDS)
            with contextlib.suppress(Exception):
                await layer.group_add(REVOCATIONS_GROUP, channel)

    async def _recheck(self) -> None:
        while True:
            await asyncio.sleep(settings.WEBSOCKET_AUTH_RECHECK_SECONDS)
            sockets = list(self.sockets)
            try:
                users, tokens = await database_sync_to_async(credentials_withdrawn)(
                    user_ids={s.user_id for s in sockets},
                    token_ids={s.token_id for s in sockets if s.token_id is not None},
                )
            except Exception:  # the database away: sockets stay until it answers
                logger.warning("Could not re-check the credentials of open websockets")
                continue
            if users or tokens:
                await self.revoke(user_ids=users, token_ids=tokens)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OpenSockets] = (
    weakref.WeakKeyDictionary()
)


def open_sockets_registry() -> OpenSockets:
    """This process's registry (one per event loop: tests run several loops)."""
    loop = asyncio.get_running_loop()
    if loop not in _by_loop:
        _by_loop[loop] = OpenSockets()
    return _by_loop[loop]


def open_sockets() -> int:
    """How many authenticated websockets this process holds (tests, diagnostics)."""
    return len(open_sockets_registry().sockets)


class SocketGuard:
    """Inside the authentication: keeps an authenticated socket in the registry
    for exactly as long as its application runs, and drops whatever the
    application sends after the close (autobahn raises on a send to a closing
    socket, which crashed the consumer and skipped its cleanup)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        closed = False

        async def guarded_send(message: dict) -> None:
            nonlocal closed
            if closed:
                return
            if message.get("type") == "websocket.close":
                closed = True
            await send(message)

        user = scope.get("user")
        if user is None or not user.is_authenticated:
            return await self.inner(scope, receive, guarded_send)

        async def close() -> None:
            await guarded_send({"type": "websocket.close", "code": CLOSE_SIGNED_OUT})

        socket = OpenSocket(user_id=user.pk, token_id=scope.get(API_TOKEN_SCOPE_KEY), close=close)
        registry = open_sockets_registry()
        await registry.add(socket)
        try:
            return await self.inner(scope, receive, guarded_send)
        finally:
            await registry.remove(socket)


class WebsocketAuthMiddleware:
    def __init__(self, inner) -> None:
        self.guard = SocketGuard(inner)
        self.session_stack = AuthMiddlewareStack(self.guard)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.guard.inner(scope, receive, send)
        origin = scope_header(scope, b"origin")
        authorization = scope_header(scope, b"authorization") or ""
        if origin is not None and not origin_allowed(origin, scope):
            # Refused at the handshake: the browser sees a failed connection.
            await send({"type": "websocket.close", "code": 4403})
            return None
        if authorization.lower().startswith("bearer "):
            token = await database_sync_to_async(api_token_for)(authorization[7:].strip())
            if token is None:
                if await sync_to_async(token_failure)(scope_client_address(scope)):
                    return await _accept_and_close(receive, send, TOO_MANY_ATTEMPTS_CLOSE_CODE)
                return await self.guard({**scope, "user": AnonymousUser()}, receive, send)
            return await self.guard(
                {**scope, "user": token.user, API_TOKEN_SCOPE_KEY: token.pk}, receive, send
            )
        if origin is None:
            return await self.guard({**scope, "user": AnonymousUser()}, receive, send)
        return await self.session_stack(scope, receive, send)


async def _accept_and_close(receive, send, code: int) -> None:
    # A close before the accept reaches the client as a bare HTTP 403 (Daphne), with
    # no code; accepting first lets it read the code, as the consumers' 4401 does.
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": code})
