"""Small HTTP helpers every app shares: one copy each.

What a request wants back (JSON or a page), a safe `next` URL, the hosts Django
accepts, reading a header from an ASGI scope, JSON bodies, and the answer for a
database that went away. Imports only Django: any module may import this one.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

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


def json_from_bytes(raw: bytes) -> Any:
    if not raw:
        raise BadRequest(_("The request body is empty; send JSON."))
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(_("The request body is not valid JSON: %(e)s") % {"e": exc}) from exc


def accept_language(header: str) -> str:
    """The reply's language from an Accept-Language header, as LocaleMiddleware
    picks it (for the ASGI paths that answer before Django)."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
