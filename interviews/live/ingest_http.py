"""The hot path of `POST /api/interviews/<id>/transcripts/` for machine clients.

Measured under Daphne on one core (README, "Performance"), Django's ASGI handler
and the middleware stack cost about 2.5 ms per request before a view runs (a new
thread per request, several sync/async switches), so even a view that does
nothing tops out near 350 requests/s; and one transaction per chunk spends most of
its time on round trips and the commit. Live transcription posts a message per
stream about every half second, so a few hundred interviews need more.

So requests that carry an API token (`Bearer ic_...`) are taken here, before
Django: the body is read with the same size limit and queued for this process's
single writer thread, which takes whatever has queued, checks the tokens (one
query) and writes the authenticated deliveries with `transcript_ingest_many`: one
transaction, one set of statements and one commit for many requests (group
commit). A body is parsed only once its token is known good (see `tokens_seen`). The rules (token, permission, lifecycle,
chunk identity, event log) are the same functions the Django view uses. Everything
else (session cookies, Clerk tokens, other methods, other paths) goes to Django
unchanged, and so does everything when `INGEST_FAST_PATH` is off.

Deliveries share a transaction, never an answer: each is validated before the
batch is written (a value the database would refuse is a 400 of its own), and a
batch that fails anyway is rolled back whole and written again one delivery per
transaction, so each delivery's answer says what happened to its own rows. The
queue is bounded (`INGEST_QUEUE_MAX`, `INGEST_QUEUE_MAX_BYTES`): past it a
delivery is answered 503 with `Retry-After` at once, nothing stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
)
from django.http.request import split_domain_port, validate_host
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.authentication import INVALID_TOKEN_MESSAGE
from accounts.ratelimit import rate_limited_message, retry_after_header, token_failure
from accounts.selectors import users_for_api_tokens
from accounts.tokens import TOKEN_PREFIX
from interview_companion.http import (
    DATABASE_RETRY_AFTER_SECONDS,
    DATABASE_UNAVAILABLE_MESSAGE,
    BadRequest,
    accept_language,
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

    @property
    def headers(self) -> dict[str, str]:
        return retry_after_header()

    def __str__(self) -> str:
        return rate_limited_message()


class Raced(Refusal):
    status = 409
    headers = {"Retry-After": "1"}

    def __str__(self) -> str:
        return _("A concurrent delivery of this chunk won; retry.")


class BadDelivery(Refusal):
    """The body is not a delivery we can store (400); worded when refused, in the
    request's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotStorable(Refusal):
    """The database refused a value the checks before the write let through."""

    def __str__(self) -> str:
        return _("The database refused a value of this delivery; nothing of it was stored.")


class WriteFailed(Refusal):
    status = 500

    def __str__(self) -> str:
        return _("This delivery could not be stored (a server error); nothing of it was written.")


class Busy(Refusal):
    """The writer's queue is full: this process is behind; retry in a moment."""

    status = 503
    headers = {"Retry-After": "1"}

    def __str__(self) -> str:
        return _("The server is busy; nothing was stored, retry shortly.")

    def body(self) -> dict:
        return {"error": str(self), "retry_after": 1}


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
    body: bytes = field(repr=False)
    language: str
    loop: asyncio.AbstractEventLoop | None = field(repr=False)
    future: asyncio.Future | None = field(repr=False)
    # Parsed on arrival when its token is known good (see `tokens_seen`), else by
    # the writer once it has checked the token.
    parsed: tuple[list[ParsedResult], int] | None = field(default=None, repr=False)


# The body is parsed only after its token is known good: a client without a
# valid token costs a hash lookup, never a JSON parse of up to 2 MiB. Tokens the
# writer found valid in the last TOKEN_SEEN_SECONDS have their deliveries parsed
# on the event loop as they arrive (the parse spread over arrivals instead of
# added to the writer's batch, which cost ~10% of the ack p50 at 500 chunks/s);
# all others are parsed by the writer after the check. This decides only where a
# body is parsed: every delivery's token is still checked by the writer, in its
# batch lookup, so a revoked token is refused at its next delivery.
TOKEN_SEEN_SECONDS = 60.0
tokens_seen: dict[str, float] = {}


# A delivery's write failed because the connection did (not because of its data).
CONNECTION_ERRORS = (OperationalError, InterfaceError)


class IngestWriter:
    """One thread per process that writes queued deliveries in batches.

    A batch holds at most one delivery per interview (two to one interview go in
    order, in two batches). A batch that fails as a whole (a unique constraint
    lost to another process, a value the checks missed, a bug) is rolled back and
    its deliveries are written again one per transaction, so one bad delivery never
    fails the others, nor changes their answers.
    """

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self.pending: deque[Delivery] = deque()
        self.pending_bytes = 0
        self.ready = threading.Condition()
        self.thread: threading.Thread | None = None

    def submit(self, delivery: Delivery) -> bool:
        """Queue a delivery; False (nothing queued) when the queue is full: a
        process that cannot keep up says so at once rather than holding requests
        and their bodies without bound."""
        with self.ready:
            if (
                len(self.pending) >= settings.INGEST_QUEUE_MAX
                or self.pending_bytes + len(delivery.body) > settings.INGEST_QUEUE_MAX_BYTES
            ):
                return False
            self.pending.append(delivery)
            self.pending_bytes += len(delivery.body)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
                self.thread.start()
            self.ready.notify()
            return True

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
                    self.pending_bytes -= len(delivery.body)
            self.pending.extendleft(reversed(later))
            return batch

    def _run(self) -> None:
        while True:
            batch = self._take()
            try:
                results = self.write(batch)
            except Exception:  # never lose the thread; answer every request
                # write() raises only before anything is written (see _ingest).
                logger.exception("Ingest batch of %d failed", len(batch))
                results = [WriteFailed()] * len(batch)
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
                tokens_seen.pop(delivery.token, None)
                over = token_failure(delivery.address)
                results[i] = TooManyAttempts() if over else Unauthenticated()
                continue
            tokens_seen[delivery.token] = time.monotonic()
            if delivery.parsed is None:
                try:
                    # Worded in the request's language (this thread serves them all).
                    with translation.override(delivery.language):
                        delivery.parsed = _parse(delivery.body)
                except (BadRequest, InvalidResults) as exc:
                    results[i] = BadDelivery(str(exc))
                    continue
            items.append((i, IngestItem(delivery.interview_id, *delivery.parsed, user=user)))
        if items:
            for (i, _item), outcome in zip(
                items, self._ingest([it for _i, it in items]), strict=True
            ):
                results[i] = outcome
        return results

    def _ingest(self, items: list[IngestItem]) -> list[IngestOutcome | Exception]:
        """Each item's outcome, or the refusal that is its answer.

        Raises only a connection failure of the first (whole-batch) transaction,
        when nothing of the batch was stored (write() answers 503 to all).
        """
        try:
            return transcript_ingest_many(items)
        except CONNECTION_ERRORS:
            raise
        except Exception as exc:
            if len(items) == 1:
                return [_refusal(exc)]
            logger.warning("Ingest batch of %d failed (%r); writing one by one", len(items), exc)
        # The batch was rolled back whole; now one transaction per delivery, so a
        # failure is its own delivery's answer and everyone else's rows land.
        results: list[IngestOutcome | Exception] = []
        for item in items:
            if results and isinstance(results[-1], DatabaseUnavailable):
                results.append(
                    DatabaseUnavailable()
                )  # the database is gone: do not wait on it again
                continue
            try:
                results.append(transcript_ingest_many([item])[0])
            except CONNECTION_ERRORS as exc:
                logger.warning("Database unavailable for ingest: %r", exc)
                connection.close()
                results.append(DatabaseUnavailable())
            except Exception as exc:
                results.append(_refusal(exc))
        return results


def _refusal(exc: Exception) -> Refusal:
    """The answer of one delivery whose own transaction failed (rolled back)."""
    if isinstance(exc, IntegrityError):
        return Raced()  # another process stored this chunk first
    if isinstance(exc, DataError):
        logger.warning("The database refused a delivery's data: %r", exc)
        return NotStorable()
    logger.error("Ingest of one delivery failed", exc_info=exc)
    return WriteFailed()


def _settle(future: asyncio.Future, result: object) -> None:
    if not future.done():  # the client may have gone and the request been cancelled
        future.set_result(result)


writer = IngestWriter()


# --- The endpoint -------------------------------------------------------------


def wants_fast_path(scope: dict) -> re.Match | None:
    """Is this an API-token POST to the ingest endpoint that Django would let
    through? A host Django refuses, or plain HTTP where HTTPS is required, goes to
    Django for its usual answer (400, redirect)."""
    if scope["type"] != "http" or scope["method"] != "POST" or not settings.INGEST_FAST_PATH:
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
        token = _token(_header(scope, b"authorization"))
        parsed = None
        seen = tokens_seen.get(token)
        if seen is not None and time.monotonic() - seen < TOKEN_SEEN_SECONDS:
            try:
                parsed = _parse(body)
            except (BadRequest, InvalidResults) as exc:
                return 400, {"error": str(exc)}, {}
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        queued = writer.submit(
            Delivery(
                token=token,
                address=scope_client_address(scope),
                interview_id=interview_id,
                body=body,
                language=translation.get_language(),
                loop=loop,
                future=future,
                parsed=parsed,
            )
        )
        if not queued:
            busy = Busy()
            return busy.status, busy, busy.headers
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
        failed = WriteFailed()
        return failed.status, failed, failed.headers


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
    return accept_language(_header(scope, b"accept-language"))
