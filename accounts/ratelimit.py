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
from django.utils.translation import gettext as _


def client_ip(request: HttpRequest) -> str:
    return client_address(
        request.headers.get("X-Forwarded-For", ""), request.META.get("REMOTE_ADDR", "")
    )


def client_address(forwarded_for: str, remote_addr: str) -> str:
    """The address failures are counted against, from the request's headers."""
    if settings.AUTH_CLIENT_IP_FROM_X_FORWARDED_FOR:
        # The last hop is the one our own proxy appended; earlier ones are the
        # client's to invent.
        hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return remote_addr or "unknown"


def auth_failures_exceeded(request: HttpRequest) -> bool:
    return address_over_limit(client_ip(request))


def auth_failure_record(request: HttpRequest) -> None:
    address_failure_record(client_ip(request))


def address_over_limit(address: str) -> bool:
    return address in addresses_over_limit({address})


def addresses_over_limit(addresses: set[str]) -> set[str]:
    """Those of the addresses over their failure budget, in one cache read."""
    counts = cache.get_many([f"auth-failures:{address}" for address in addresses])
    return {
        address
        for address in addresses
        if (counts.get(f"auth-failures:{address}") or 0) >= settings.AUTH_RATE_LIMIT
    }


def address_failure_record(address: str) -> None:
    key = f"auth-failures:{address}"
    # add() starts the window only if none is running; incr() is atomic in the
    # cache backends Django ships (memcached, Redis, and locmem under its lock).
    cache.add(key, 0, timeout=settings.AUTH_RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(): start a new one.
        cache.set(key, 1, timeout=settings.AUTH_RATE_WINDOW_SECONDS)


def rate_limited_message() -> str:
    minutes = max(1, settings.AUTH_RATE_WINDOW_SECONDS // 60)
    return _(
        "Too many failed sign-in attempts from your address. Try again in %(minutes)d minutes."
    ) % {"minutes": minutes}
