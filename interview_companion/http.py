"""Small HTTP helpers every app shares: one copy each.

What a request wants back (JSON or a page), a safe `next` URL, the hosts Django
accepts, reading a header from an ASGI scope, the client's address, JSON bodies,
and the answer for a database that went away. Imports only Django: any module may
import this one.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

DATABASE_RETRY_AFTER_SECONDS = 2
DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable; retry shortly."

# What Django's HttpRequest.get_host accepts when DEBUG is on and ALLOWED_HOSTS is
# empty; the ASGI paths that check hosts themselves (the ingest fast path, the
# websocket Origin check) must accept exactly the same.
DEBUG_ALLOWED_HOSTS = (".localhost", "127.0.0.1", "[::1]")


class BadRequest(Exception):
    """The request cannot be understood (answered 400 with this message)."""


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = list(DEBUG_ALLOWED_HOSTS)
    return hosts


def safe_next(request: HttpRequest, target: str) -> str | None:
    """`target` if it is a URL on this site (never an open redirect), else None."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def scope_header(scope: dict, name: bytes) -> str | None:
    """The first value of a header in an ASGI scope (names are lower-case bytes)."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def scope_header_lines(scope: dict, name: bytes) -> list[str]:
    """Every value of a header in an ASGI scope, in order (one per header line)."""
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == name]


# --- The client's address -------------------------------------------------------
# One rule for every entry point (Django views and middleware, the ingest fast path,
# websocket authentication), so a client is counted as the same address wherever
# it knocks.


def client_address(forwarded_for: str, remote_addr: str) -> str:
    """The client's address from the X-Forwarded-For value (every header line,
    joined with ",") and the peer address of the connection.

    Only with `BEHIND_PROXY` (AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR) is the header
    read at all, and then only its last hop: the one our own proxy appended;
    earlier hops are the client's to invent.
    """
    if settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR:
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return remote_addr or "unknown"


def request_client_address(request: HttpRequest) -> str:
    # Django's ASGI handler joins repeated header lines with "," into META (and a
    # WSGI server does the same), so META holds every line.
    return client_address(
        request.META.get("HTTP_X_FORWARDED_FOR", ""), request.META.get("REMOTE_ADDR", "")
    )


def scope_client_address(scope: dict) -> str:
    """`request_client_address` for a raw ASGI scope (the same answer Django's
    request for this scope would give): repeated X-Forwarded-For lines are joined
    as Django joins them, so a proxy that adds its own line instead of appending
    to the client's is read the same way on every path."""
    client = scope.get("client") or ("",)
    return client_address(",".join(scope_header_lines(scope, b"x-forwarded-for")), client[0] or "")


def json_from_bytes(raw: bytes) -> Any:
    if not raw:
        raise BadRequest(_("The request body is empty; send JSON."))
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(_("The request body is not valid JSON: %(e)s") % {"e": exc}) from exc
