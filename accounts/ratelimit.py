"""Failed sign-in and bearer-token attempts, counted per client address.

A fixed window in Django's cache: the first failure starts it, and after
`AUTH_RATE_LIMIT` failures the address is refused until the window ends. Only
failures count, so a team behind one NAT address is not locked out by its own
successful sign-ins; and a success does not reset the count, so an attacker
cannot interleave a valid sign-in of their own to keep guessing.

With several server processes the cache must be shared (`CACHE_URL=redis://...`),
or each process counts on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR:
        forwarded = request.headers.get("X-Forwarded-For", "")
        # The last hop is the one our own proxy appended; earlier ones are the
        # client's to invent.
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(request: HttpRequest) -> str:
    return f"auth-failures:{client_ip(request)}"


def auth_failures_exceeded(request: HttpRequest) -> bool:
    return (cache.get(_key(request)) or 0) >= settings.AUTH_RATE_LIMIT


def auth_failure_record(request: HttpRequest) -> None:
    key = _key(request)
    # add() starts the window only if none is running; incr() is atomic in the
    # cache backends Django ships (memcached, Redis, and locmem under its lock).
    cache.add(key, 0, timeout=settings.AUTH_RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(): start a new one.
        cache.set(key, 1, timeout=settings.AUTH_RATE_WINDOW_SECONDS)
