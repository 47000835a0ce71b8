"""Failed sign-in and bearer-token attempts, counted so that they never lock out
the wrong people.

Fixed windows in Django's cache: the first failure starts a window of
`AUTH_RATE_WINDOW_SECONDS`, and a counter at its limit refuses until the window
ends. Only failures count (successes reset nothing), and an attempt refused for
being over a limit is not counted again. With several server processes the cache
must be shared (`CACHE_URL=redis://...`), or each process counts on its own.

Tokens (API tokens over HTTP, the ingest fast path and websockets; Clerk session
tokens as bearer or exchanged at /auth/clerk/) are checked first: a valid token
always succeeds, whatever its address has done. Guessing a token is hopeless (an
API token has 240 random bits; a Clerk token is signed), so answering a valid one
tells a guesser nothing; the count is there to make a client flooding unknown
tokens stop (429 instead of 401, close 4429 on a websocket) once its address has
sent `AUTH_RATE_LIMIT` of them. A token is looked up by its SHA-256 through a
unique index, or verified offline, so the check costs what any API call costs.

Passwords are different: a password can be guessed, so a limit that let the right
password through would tell the guesser which one it was. They are counted per
account *and* address: after `AUTH_RATE_LIMIT` failures for one account from one
address, that account is refused from that address, the right password included;
a colleague behind the same NAT signs in to another account as usual. Spraying
many accounts from one address is bounded by `AUTH_PASSWORD_ADDRESS_LIMIT`
failures per address over all accounts (set well above what one office mistypes:
one person's own failures stop at `AUTH_RATE_LIMIT`). There is deliberately no
limit per account over every address: anyone who knew an interviewer's email
could then lock them out.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

TOKEN_KEY = "auth-failures:token:{address}"
PASSWORD_ADDRESS_KEY = "auth-failures:password:{address}"
PASSWORD_ACCOUNT_KEY = "auth-failures:password:{address}:{account}"


# --- Tokens ---------------------------------------------------------------------


def token_failure(address: str) -> bool:
    """A token from `address` was not valid: count it, or, if the address is
    already over its limit, say so (True: answer 429 rather than 401)."""
    key = TOKEN_KEY.format(address=address)
    if (cache.get(key) or 0) >= settings.AUTH_RATE_LIMIT:
        return True
    _count(key)
    return False


# --- Passwords ------------------------------------------------------------------


def password_refused(address: str, username: str) -> bool:
    """Is a password sign-in to `username` from `address` refused before it is
    even checked (the right password included)?"""
    account_key, address_key = _password_keys(address, username)
    counts = cache.get_many([account_key, address_key])
    return (counts.get(account_key) or 0) >= settings.AUTH_RATE_LIMIT or (
        counts.get(address_key) or 0
    ) >= settings.AUTH_PASSWORD_ADDRESS_LIMIT


def password_failure(address: str, username: str) -> None:
    for key in _password_keys(address, username):
        _count(key)


def password_success(address: str, username: str) -> None:
    """The person got in: their earlier typos from this address stop counting (the
    address's count over all accounts, against spraying, is left as it is)."""
    account_key, _address_key = _password_keys(address, username)
    cache.delete(account_key)


def _password_keys(address: str, username: str) -> tuple[str, str]:
    # Hashed: an email is personal data and may hold characters a cache key may not.
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return (
        PASSWORD_ACCOUNT_KEY.format(address=address, account=account),
        PASSWORD_ADDRESS_KEY.format(address=address),
    )


def _count(key: str) -> None:
    # add() starts the window only if none is running; incr() is atomic in the
    # cache backends Django ships (memcached, Redis, and locmem under its lock).
    cache.add(key, 0, timeout=settings.AUTH_RATE_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        # The window expired between add() and incr(): start a new one.
        cache.set(key, 1, timeout=settings.AUTH_RATE_WINDOW_SECONDS)


def retry_after_header() -> dict[str, str]:
    """`Retry-After` for a 429: a counter at its limit refuses until its window ends,
    so the window is the longest a refused client has to wait."""
    return {"Retry-After": str(settings.AUTH_RATE_WINDOW_SECONDS)}


def rate_limited_message() -> str:
    minutes = max(1, settings.AUTH_RATE_WINDOW_SECONDS // 60)
    return _(
        "Too many failed sign-in attempts from your address. Try again in %(minutes)d minutes."
    ) % {"minutes": minutes}
