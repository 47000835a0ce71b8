"""Replay a recorded Deepgram live stream into a running server, in real time.

    python manage.py replay_interview interviews/recordings/interview_frontend_en.jsonl \\
        --interview 12 [--speed 1] [--server http://127.0.0.1:8000] [--token ic_...] [--complete]

The recording is a JSON list or JSON Lines of Deepgram live messages (`Results`,
plus `SpeechStarted`, `UtteranceEnd`, `Metadata`, which the server skips). They
are posted to `POST /api/interviews/<id>/transcripts/` over HTTP, not written to
the database directly: going through the server is what makes every open live
page update, whatever channel layer the server runs (the in-memory default only
reaches pages served by that same process).

Pacing. A message is due when Deepgram would have sent it: when the audio it
covers has been heard (`start` + `duration` of a Results message; interim results
of one utterance share `start`, so `start` alone would send a whole utterance at
once), `last_word_end` of an UtteranceEnd, `timestamp` of a SpeechStarted,
relative to the first message. Deepgram restarts `start` at 0 on a new connection
(a new `metadata.request_id`, or after a `Metadata` message that closes one): the
new connection's clock continues from the time already elapsed. `--speed 2`
replays twice as fast; `--speed 0` sends everything at once, in batches.
Messages due at the same moment go in one request.

Which interview. `--interview` is required: the server's database may not be this
one, so the command never guesses. When it is this one (the usual case, a local
server on the default SQLite file), a missing `--token` is made here: a token
named "replay" for the interview's interviewer, revoked when the replay ends.

The interview is moved to live first (a no-op when it already is) and, with
`--complete`, to completed at the end, which makes the server write its scorecard.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from accounts.services import api_token_create, api_token_revoke
from interviews.live.recordings import RecordingError, load_recording
from interviews.models import Interview, InterviewStatus
from interviews.presenters import clock

DEFAULT_SERVER = "http://127.0.0.1:8000"
# Well under the server's INGEST_MAX_RESULTS (500 by default).
DEFAULT_MAX_BATCH = 100
HTTP_TIMEOUT_SECONDS = 15.0
# 503 (database busy) and 409 (a concurrent delivery won) are worth retrying;
# a server that asks for longer than this is treated as down.
MAX_ATTEMPTS = 6
MAX_RETRY_AFTER_SECONDS = 10.0
TRANSPORT_RETRY_SECONDS = 1.0


# --- Reading and pacing a recording ---------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _connection_time(message: dict) -> float | None:
    """When, on its connection's clock, Deepgram sent this message (None: unknown)."""
    kind = message.get("type", "Results")
    if kind == "Results":
        start, duration = _number(message.get("start")), _number(message.get("duration"))
        if start is None:
            return None
        return start + (duration or 0.0)
    key = {"UtteranceEnd": "last_word_end", "SpeechStarted": "timestamp", "Metadata": "duration"}
    return _number(message.get(key.get(kind, ""))) if kind in key else None


def _request_id(message: dict) -> str | None:
    metadata = message.get("metadata")
    if message.get("type", "Results") == "Results" and isinstance(metadata, dict):
        value = metadata.get("request_id")
        return value if isinstance(value, str) else None
    return None


def due_times(messages: list[dict]) -> list[float]:
    """Seconds after the first message at which each message is due.

    Never decreasing (messages are sent in the recorded order: an interim before
    its final), and continuing across reconnects.
    """
    dues: list[float] = []
    elapsed = 0.0  # the latest due time so far
    offset = 0.0  # stream time at which the current connection began
    request_id: str | None = None
    closed = False
    for message in messages:
        rid = _request_id(message)
        if closed or (rid is not None and request_id is not None and rid != request_id):
            offset, request_id, closed = elapsed, None, False
        if rid is not None:
            request_id = rid
        at = _connection_time(message)
        if at is not None:
            elapsed = max(elapsed, offset + at)
        dues.append(elapsed)
        if message.get("type") == "Metadata":
            closed = True  # Deepgram sends it when the connection closes
    return dues


def batches(
    dues: list[float], *, speed: float, max_batch: int, clock=time.monotonic, sleep=time.sleep
) -> Iterator[tuple[int, int]]:
    """(first, end) index ranges to post, waiting until the first one is due; a
    batch takes every later message already due too (late, or due at the same time)."""
    begun = clock()
    index, count = 0, len(dues)
    while index < count:
        if speed <= 0:
            end = min(count, index + max_batch)
        else:
            wait = dues[index] / speed - (clock() - begun)
            if wait > 0:
                sleep(wait)
            now = max((clock() - begun) * speed, dues[index])
            end = index + 1
            while end < count and end - index < max_batch and dues[end] <= now:
                end += 1
        yield index, end
        index = end


# --- Talking to the server --------------------------------------------------------


@dataclass
class Totals:
    requests: int = 0
    messages: int = 0
    written: set[int] = field(default_factory=set)
    duplicates: int = 0
    skipped: int = 0
    finals: int = 0


class IngestClient:
    """The server's JSON API, with the retries and errors a person can act on."""

    def __init__(self, server: str, token: str, interview_id: int) -> None:
        self.server = server.rstrip("/")
        self.interview_id = interview_id
        self.reached = False
        self.http = httpx.Client(
            base_url=self.server,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    def close(self) -> None:
        self.http.close()

    def post(self, path: str, payload: Any) -> httpx.Response:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = self.http.post(path, json=payload)
            except httpx.TransportError as exc:
                # Never reached at all: the server is not running, say so at once; a
                # server that answered before may be restarting, so wait for it.
                if attempt == MAX_ATTEMPTS or not self.reached:
                    raise CommandError(
                        f"Cannot reach the server at {self.server}: {exc}. Is it running? "
                        "(e.g. daphne -b 127.0.0.1 -p 8000 interview_companion.asgi:application)"
                    ) from exc
                time.sleep(TRANSPORT_RETRY_SECONDS)
                continue
            self.reached = True
            retry_after = response.headers.get("Retry-After")
            if response.status_code in (409, 503) and retry_after and attempt < MAX_ATTEMPTS:
                try:
                    delay = float(retry_after)
                except ValueError:
                    delay = TRANSPORT_RETRY_SECONDS
                time.sleep(min(max(delay, 0.0), MAX_RETRY_AFTER_SECONDS))
                continue
            self._raise_for_status(response)
            return response
        raise CommandError(f"The server kept answering {response.status_code}; giving up.")

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        try:
            detail = response.json().get("error") or response.text
        except ValueError:
            detail = response.text.strip()[:300]
        interview = f"interview {self.interview_id}"
        if status == 401:
            raise CommandError(
                f"The server refused the API token (401: {detail}). If the server uses "
                "another database than this command, pass --token with a token of the "
                "interview's interviewer."
            )
        if status == 403:
            raise CommandError(
                f"The token's user may not change {interview} (403: {detail}); use a token "
                "of its interviewer or of a staff user."
            )
        if status == 404:
            raise CommandError(f"The server at {self.server} has no {interview} (404).")
        raise CommandError(f"The server answered {status} for {response.request.url}: {detail}")

    def transition(self, to: str) -> dict:
        return self.post(f"/api/interviews/{self.interview_id}/transition/", {"to": to}).json()

    def ingest(self, messages: list[dict]) -> dict:
        return self.post(f"/api/interviews/{self.interview_id}/transcripts/", messages).json()


# --- The command ------------------------------------------------------------------


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Post a recorded Deepgram live stream (JSON list or JSON Lines) to a running "
        "server's ingest API, paced like the original conversation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Recording: JSON list or JSON Lines of Deepgram messages.")
        parser.add_argument("--interview", type=int, help="Interview id on the server.")
        parser.add_argument(
            "--speed",
            type=float,
            default=1.0,
            help="Playback speed: 1 real time (default), 2 twice as fast, 0 no pacing.",
        )
        parser.add_argument("--server", default=DEFAULT_SERVER, help=f"Default {DEFAULT_SERVER}.")
        parser.add_argument(
            "--token",
            help="API token (ic_...). Default: one made here for the interviewer and "
            "revoked afterwards (needs this command and the server on one database).",
        )
        parser.add_argument(
            "--complete", action="store_true", help="Move the interview to completed at the end."
        )
        parser.add_argument(
            "--max-batch",
            type=int,
            default=DEFAULT_MAX_BATCH,
            help=f"Most messages per request (default {DEFAULT_MAX_BATCH}).",
        )

    def handle(self, *args, **options) -> None:
        if options["speed"] < 0:
            raise CommandError("--speed must be 0 (no pacing) or more.")
        if options["max_batch"] < 1:
            raise CommandError("--max-batch must be at least 1.")
        # httpx logs every request at INFO; the progress lines below say it better.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            messages = load_recording(Path(options["file"]))
        except RecordingError as exc:
            raise CommandError(str(exc)) from exc
        interview_id = options["interview"]
        if interview_id is None:
            raise CommandError(self._which_interview_hint())
        token, local_token = options["token"], None
        if not token:
            local_token, token = self._local_token(interview_id)
        client = IngestClient(options["server"], token, interview_id)
        # Stopped by a script (SIGTERM) or Ctrl-C: unwind, so the token made for
        # this replay is still revoked below.
        previous = None
        with contextlib.suppress(ValueError):  # not the main thread: leave it be
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._replay(client, messages, options)
        except KeyboardInterrupt as exc:
            raise CommandError("Replay interrupted.") from exc
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            client.close()
            if local_token is not None:
                api_token_revoke(token=local_token)

    def _which_interview_hint(self) -> str:
        hint = "Pass --interview <id> (the interview on the server to replay into)."
        try:
            waiting = list(
                Interview.objects.filter(
                    status__in=[InterviewStatus.SCHEDULED, InterviewStatus.LIVE]
                )
                .select_related("candidate")
                .order_by("pk")[:10]
            )
        except Exception:  # no local database: the hint is all we can give
            return hint
        if waiting:
            listed = ", ".join(
                f"{i.pk} ({i.candidate.name}, {i.language}, {i.status})" for i in waiting
            )
            hint += f" Scheduled or live here: {listed}."
        return hint

    def _local_token(self, interview_id: int):
        try:
            interview = Interview.objects.select_related("interviewer").get(pk=interview_id)
        except Interview.DoesNotExist as exc:
            raise CommandError(
                f"Interview {interview_id} is not in this database, so no token can be made "
                "here; pass --token with an API token of its interviewer."
            ) from exc
        except DatabaseError as exc:
            raise CommandError(f"Cannot read the local database ({exc}); pass --token.") from exc
        try:
            row, token = api_token_create(user=interview.interviewer, name="replay")
        except ValueError as exc:  # a deactivated interviewer
            raise CommandError(f"{exc} Pass --token of a staff user.") from exc
        return row, token

    def _replay(self, client: IngestClient, messages: list[dict], options: dict) -> None:
        verbose = options["verbosity"] >= 1
        data = client.transition("live")["data"]
        dues = due_times(messages)
        if verbose:
            lasts = (
                f", about {clock(int(dues[-1] / options['speed'] * 1000))} (mm:ss)"
                if dues and options["speed"] > 0
                else ""
            )
            self.stdout.write(
                f"Interview {client.interview_id} is {data.get('status')}; replaying "
                f"{len(messages)} messages from {options['file']} to {client.server} "
                f"(speed {options['speed']:g}{lasts})."
            )
        totals = Totals()
        request_id = None
        for first, end in batches(dues, speed=options["speed"], max_batch=options["max_batch"]):
            batch = messages[first:end]
            outcome = client.ingest(batch)
            totals.requests += 1
            totals.messages += len(batch)
            totals.written.update(outcome.get("transcripts") or [])
            totals.duplicates += outcome.get("duplicates", 0)
            totals.skipped += outcome.get("skipped", 0)
            for offset, message in enumerate(batch):
                if not (message.get("type", "Results") == "Results" and message.get("is_final")):
                    continue
                totals.finals += 1
                rid = _request_id(message)
                if verbose and request_id is not None and rid != request_id:
                    self.stdout.write(f"  -- new Deepgram connection {rid}: start restarts at 0")
                request_id = rid
                if verbose:
                    self._show_final(message, dues[first + offset])
        if options["complete"]:
            data = client.transition("completed")["data"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Replayed {totals.messages} messages ({totals.finals} finals) in "
                f"{totals.requests} requests: {len(totals.written)} transcript rows written "
                f"or updated, {totals.duplicates} duplicates, {totals.skipped} skipped. "
                f"Interview {client.interview_id} is {data.get('status')}."
            )
        )

    def _show_final(self, message: dict, due: float) -> None:
        alternative = (message.get("channel", {}).get("alternatives") or [{}])[0]
        words = alternative.get("words") or []
        speaker = words[0].get("speaker") if words else None
        text = (alternative.get("transcript") or "").strip()
        if len(text) > 90:
            text = text[:87] + "..."
        who = f"speaker_{speaker}" if speaker is not None else "?"
        self.stdout.write(f"  [{clock(int(due * 1000))}] {who}: {text}")
