"""The hot path of `POST /api/interviews/<id>/transcripts/` for machine clients.

Measured under Daphne on one core (README, "Performance"), Django's ASGI handler
and the middleware stack cost about 2.5 ms per request before a view runs (a new
thread per request, several sync/async switches), so even a view that does
nothing tops out near 350 requests/s; and one transaction per chunk spends most of
its time on round trips and the commit. Live transcription posts a message per
stream about every half second, so a few hundred interviews need more.

So requests that carry an API token (`Bearer ic_...`) are taken here, before
Django: the body is read with the same size limit and parsed on the event loop,
and the parsed delivery is queued for this process's single writer thread, which
takes whatever has queued and writes it with `transcript_ingest_many`: one
transaction, one set of statements and one commit for many requests (group
commit). The rules (token, permission, lifecycle, chunk identity, event log) are
the same functions the Django view uses. Everything else (session cookies, Clerk
tokens, other methods, other paths) goes to Django unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)

from accounts.authentication import INVALID_TOKEN_MESSAGE
from accounts.ratelimit import rate_limited_message, token_failure
from accounts.selectors import users_for_api_tokens
from accounts.tokens import TOKEN_PREFIX
from interview_companion.http import (
    DATABASE_RETRY_AFTER_SECONDS,
    DATABASE_UNAVAILABLE_MESSAGE,
    BadRequest,
    allowed_hosts,
    scope_client_address,
    scope_header,
)
from interview_companion.middleware import content_security_policy
from interviews.live.deepgram import InvalidResults, ParsedResult
from interviews.live.ingest import (
    IngestItem,
    IngestOutcome,
    InterviewNotLive,
    RecordingDeclined,
    parse_batch,
    transcript_ingest_many,
    transcripts_body,
)
from interviews.selectors import InterviewNotFound, NotAllowed

logger = logging.getLogger(__name__)

PATH = re.compile(r"^/api/interviews/(?P<interview_id>[0-9]{1,18})/transcripts/$")

# Deliveries written in one transaction at most; more wait for the next round.
MAX_BATCH = 256
# A writer with nothing to do for this long closes its database connection.
IDLE_SECONDS = 1.0


# --- Refusals the writer returns in a request's place -------------------------


class Refusal(Exception):
    status = 400
    headers: dict[str, str] = {}

    def body(self) -> dict:
        return {"error": str(self)}


class Unauthenticated(Refusal):
    status = 401

    def __str__(self) -> str:
        return INVALID_TOKEN_MESSAGE


class TooManyAttempts(Refusal):
    status = 429

    def __str__(self) -> str:
        return rate_limited_message()


class Raced(Refusal):
    status = 409
    headers = {"Retry-After": "1"}

    def __str__(self) -> str:
        return _("A concurrent delivery of this chunk won; retry.")


class DatabaseUnavailable(Refusal):
    status = 503
    headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}

    def __str__(self) -> str:
        return DATABASE_UNAVAILABLE_MESSAGE

    def body(self) -> dict:
        return {"error": str(self), "retry_after": DATABASE_RETRY_AFTER_SECONDS}


STATUS_OF = {
    InterviewNotFound: 404,
    NotAllowed: 403,
    InterviewNotLive: 409,
    RecordingDeclined: 409,
}


# --- The writer ---------------------------------------------------------------


@dataclass
class Delivery:
    token: str
    address: str
    interview_id: int
    parsed: list[ParsedResult]
    skipped: int
    loop: asyncio.AbstractEventLoop = field(repr=False)
    future: asyncio.Future = field(repr=False)


class IngestWriter:
    """One thread per process that writes queued deliveries in batches.

    A batch holds at most one delivery per interview (two to one interview go in
    order, in two batches). A batch that fails as a whole (a unique constraint
    lost to another process, a bug) is rolled back and its deliveries are retried
    one by one, so one bad delivery never fails the others.
    """

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self.pending: deque[Delivery] = deque()
        self.ready = threading.Condition()
        self.thread: threading.Thread | None = None

    def submit(self, delivery: Delivery) -> None:
        with self.ready:
            self.pending.append(delivery)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
                self.thread.start()
            self.ready.notify()

    def _take(self) -> list[Delivery]:
        with self.ready:
            while not self.pending:
                if not self.ready.wait(timeout=IDLE_SECONDS):
                    connection.close()  # idle: give the connection back (to the pool)
            batch: list[Delivery] = []
            later: list[Delivery] = []
            seen: set[int] = set()
            while self.pending and len(batch) < self.max_batch:
                delivery = self.pending.popleft()
                if delivery.interview_id in seen:
                    later.append(delivery)
                else:
                    seen.add(delivery.interview_id)
                    batch.append(delivery)
            self.pending.extendleft(reversed(later))
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            try:
                results = self.write(batch)
            except Exception as exc:  # never lose the thread; answer every request
                logger.exception("Ingest batch of %d failed", len(batch))
                results = [exc] * len(batch)
            for delivery, result in zip(batch, results, strict=True):
                # A request whose event loop is gone (shutdown) must not take the
                # thread down with the rest of the batch.
                with contextlib.suppress(RuntimeError):
                    delivery.loop.call_soon_threadsafe(_settle, delivery.future, result)

    def write(self, batch: list[Delivery]) -> list[IngestOutcome | Exception]:
        try:
            return self._write(batch)
        except DatabaseError as exc:
            logger.warning("Database unavailable for ingest: %r", exc)
            connection.close()  # the next batch starts on a fresh connection
            return [DatabaseUnavailable()] * len(batch)

    def _write(self, batch: list[Delivery]) -> list[IngestOutcome | Exception]:
        results: list[IngestOutcome | Exception | None] = [None] * len(batch)
        # Tokens first: a valid one is written whatever its address has sent; only
        # an unknown one is counted (and refused with 429 once its address is over).
        users = users_for_api_tokens({delivery.token for delivery in batch})
        items: list[tuple[int, IngestItem]] = []
        for i, delivery in enumerate(batch):
            user = users.get(delivery.token)
            if user is None:
                over = token_failure(delivery.address)
                results[i] = TooManyAttempts() if over else Unauthenticated()
                continue
            items.append(
                (i, IngestItem(delivery.interview_id, delivery.parsed, delivery.skipped, user=user))
            )
        if items:
            for (i, _item), outcome in zip(
                items, self._ingest([it for _i, it in items]), strict=True
            ):
                results[i] = outcome
        return results

    def _ingest(self, items: list[IngestItem]) -> list[IngestOutcome | Exception]:
        try:
            return transcript_ingest_many(items)
        except IntegrityError:
            if len(items) == 1:
                return [Raced()]  # another process stored this chunk first
        except DatabaseError:
            raise
        except Exception:
            logger.exception("Ingest batch of %d failed; retrying one by one", len(items))
            if len(items) == 1:
                raise
        return [outcome for item in items for outcome in self._ingest([item])]


def _settle(future: asyncio.Future, result: object) -> None:
    if not future.done():  # the client may have gone and the request been cancelled
        future.set_result(result)


writer = IngestWriter()


# --- The endpoint -------------------------------------------------------------


def wants_fast_path(scope: dict) -> re.Match | None:
    """Is this an API-token POST to the ingest endpoint that Django would let
    through? A host Django refuses, or plain HTTP where HTTPS is required, goes to
    Django for its usual answer (400, redirect)."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    match = PATH.match(scope["path"])
    if match is None:
        return None
    authorization = _header(scope, b"authorization")
    if authorization[:7].lower() != "bearer " or not _token(authorization).startswith(TOKEN_PREFIX):
        return None  # a session or a Clerk token: Django's middleware handles those
    if settings.SECURE_SSL_REDIRECT and not _is_secure(scope):
        return None
    domain, _port = split_domain_port(_header(scope, b"host"))
    if not domain or not validate_host(domain, allowed_hosts()):
        return None
    return match


def _token(authorization: str) -> str:
    return authorization[7:].strip()  # as LoginRequiredMiddleware reads it


def _is_secure(scope: dict) -> bool:
    if scope.get("scheme") == "https":
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode("latin-1")
        return _header(scope, name).split(",")[0].strip() == secure_value
    return False


def _header(scope: dict, wanted: bytes) -> str:
    return scope_header(scope, wanted) or ""


def _response_headers(extra: dict[str, str]) -> list[tuple[bytes, bytes]]:
    headers = {
        "Content-Type": "application/json",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": settings.SECURE_REFERRER_POLICY or "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Content-Security-Policy": content_security_policy(),
        "Cache-Control": "no-store",
        **extra,
    }
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class IngestEndpoint:
    """ASGI app for the fast path; anything it does not take goes to `fallback`."""

    def __init__(self, fallback) -> None:
        self.fallback = fallback

    async def __call__(self, scope, receive, send) -> None:
        match = wants_fast_path(scope)
        if match is None:
            return await self.fallback(scope, receive, send)
        language = _language(scope)
        # Translations follow the task (asgiref Local), so this is per request.
        with translation.override(language):
            try:
                status, body, headers = await self._handle(
                    scope, receive, int(match["interview_id"])
                )
            except _Disconnected:
                return
            payload = json.dumps(
                body if isinstance(body, dict) else body.body(), ensure_ascii=False
            ).encode()
        headers = {
            **headers,
            "Content-Length": str(len(payload)),
            "Content-Language": language,
            "Vary": "Accept-Language",
        }
        await send(
            {"type": "http.response.start", "status": status, "headers": _response_headers(headers)}
        )
        await send({"type": "http.response.body", "body": payload})

    async def _handle(self, scope, receive, interview_id: int):
        body = await _read_body(receive, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if body is None:
            return 413, {"error": _("The request body is too large.")}, {}
        try:
            parsed, skipped = _parse(body)
        except (BadRequest, InvalidResults) as exc:
            return 400, {"error": str(exc)}, {}
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        writer.submit(
            Delivery(
                token=_token(_header(scope, b"authorization")),
                address=scope_client_address(scope),
                interview_id=interview_id,
                parsed=parsed,
                skipped=skipped,
                loop=loop,
                future=future,
            )
        )
        result = await future
        if isinstance(result, IngestOutcome):
            body = {
                "transcripts": result.transcript_ids,
                "duplicates": result.duplicates,
                "skipped": result.skipped,
            }
            return (201 if result.changed_anything else 200), body, {}
        if isinstance(result, Refusal):
            return result.status, result, result.headers
        if type(result) in STATUS_OF:
            return STATUS_OF[type(result)], {"error": str(result)}, {}
        return 500, {"error": "Internal server error."}, {}


class _Disconnected(Exception):
    pass


def _parse(body: bytes) -> tuple[list[ParsedResult], int]:
    # The same checks, in the same order and words, as the Django view.
    return parse_batch(transcripts_body(body))


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole request body, or None once it grows past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _language(scope: dict) -> str:
    """The reply's language from Accept-Language, as LocaleMiddleware picks it."""
    for code, _quality in parse_accept_lang_header(_header(scope, b"accept-language")):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE
