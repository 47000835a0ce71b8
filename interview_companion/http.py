"""Small HTTP helpers every app shares: one copy each.

What a request wants back (JSON or a page), a safe `next` URL, the hosts Django
accepts, reading a header from an ASGI scope, the client's address, JSON bodies,
and the answer for a database that went away. Imports only Django: any module may
import this one.
"""

from __future__ import annotations

import json
import re
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
# The 401 of every API answer to a caller nobody signed in (accounts.middleware says
# the same words).
AUTHENTICATION_REQUIRED_MESSAGE = "Authentication required."

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


class UnreadableJSON(ValueError):
    """JSON this app cannot take; str() is a message for the user."""


# What PostgreSQL cannot store in a text column: NUL, and a surrogate code point
# (UTF-8 has no encoding for one). JSON brings them in only as `\u0000` /
# `\ud800`-`\udfff` escapes, or as the raw bytes of an encoded surrogate, which
# json.loads decodes with "surrogatepass"; a body without any of these (nearly all)
# is not walked.
_UNSTORABLE_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\xed[\xa0-\xbf]")
_UNSTORABLE_TEXT = re.compile("[\x00\ud800-\udfff]")


def _has_unstorable_text(value: Any) -> bool:
    # A loop, not recursion: the value may be nested as deep as json.loads allows.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE_TEXT.search(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
    return False


def json_parse(raw: bytes) -> Any:
    """JSON bytes to a value, or UnreadableJSON with a message: malformed, nested
    deeper than Python's parser goes (it raises RecursionError at roughly a
    thousand levels), or holding text no database column can store."""
    try:
        value = json.loads(raw)
    except RecursionError as exc:
        raise UnreadableJSON(_("The JSON is nested too deeply.")) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableJSON(_("This is not valid JSON: %(e)s") % {"e": str(exc)[:200]}) from exc
    if _UNSTORABLE_BYTES.search(raw) and _has_unstorable_text(value):
        raise UnreadableJSON(
            _(
                "The JSON holds a NUL character (\\u0000) or an unpaired surrogate "
                "(\\ud800-\\udfff), which text cannot contain."
            )
        )
    return value


def json_from_bytes(raw: bytes) -> Any:
    if not raw:
        raise BadRequest(_("The request body is empty; send JSON."))
    try:
        return json_parse(raw)
    except UnreadableJSON as exc:
        raise BadRequest(str(exc)) from exc


# The largest row id PostgreSQL's bigint and SQLite's INTEGER hold.
MAX_ROW_ID = 2**63 - 1


def row_id_from_query(value: str | None) -> int | None:
    """A row id from a query string, or None when it is not one. ASCII digits only:
    "²".isdigit() is True and int("²") raises, and a number past a bigint fails
    in the database."""
    if value and len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
        if 0 < number <= MAX_ROW_ID:
            return number
    return None


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
