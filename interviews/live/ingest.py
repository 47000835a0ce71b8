"""Transcript ingest: Deepgram live `Results` deliveries become transcript rows.

One service, two entry points: `transcript_ingest` (one delivery: the Django view,
the audio relay, import, seeding) and `transcript_ingest_many` (the HTTP fast
path's group commit). Rows and their events commit together under the
interview's row lock; the analysis runner is woken after commit, never called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from interview_companion.http import BadRequest, json_from_bytes
from interviews.live import wakeup
from interviews.live.deepgram import (
    InvalidResults,
    ParsedResult,
    is_results_message,
    is_utterance_end,
    parse_results,
    parse_utterance_end,
)
from interviews.live.events import Change, events_append_many
from interviews.live.payloads import transcript_data
from interviews.models import EventType, Interview, InterviewStatus, SpeakerRole, Transcript
from interviews.notices import recording_declined_message
from interviews.selectors import InterviewNotFound, NotAllowed


class InterviewNotLive(Exception):
    """Transcripts arrive only while the interview is live (answered 409).

    Worded when shown (str), in the language active there: a batch is written
    by one thread for requests in several languages.
    """

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status

    def __str__(self) -> str:
        return _("Transcripts are accepted only while the interview is live (it is “%(s)s”).") % {
            "s": self.status
        }


class RecordingDeclined(Exception):
    """The candidate declined the notice: nothing of this interview is transcribed
    (answered 409; the audio relay closes with 4409)."""

    def __str__(self) -> str:
        return recording_declined_message()


def transcripts_body(raw: bytes) -> Any:
    """The JSON of a transcripts POST, with the checks made before parsing results
    (the Django view and the fast path in ingest_http)."""
    body = json_from_bytes(raw)
    if isinstance(body, list) and len(body) > settings.INGEST_MAX_RESULTS:
        raise BadRequest(
            _("At most %(n)d results per request.") % {"n": settings.INGEST_MAX_RESULTS}
        )
    if isinstance(body, list) and not body:
        raise BadRequest(_("The list of results is empty."))
    return body


@dataclass
class IngestOutcome:
    transcript_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.transcript_ids)


@dataclass
class IngestItem:
    """One delivery of parsed results for one interview.

    `user`, when given, must be allowed to change the interview; the HTTP fast path
    checks it here, under the same lock as the write.
    """

    interview_id: int
    parsed: list[ParsedResult]
    skipped: int = 0
    stt_provider: str = "deepgram"
    user: object | None = None


# The millisecond columns (start_ms, end_ms, duration_ms, offset_ms) are PostgreSQL
# `integer`s: a value past this is refused here, before the batch it would fail.
MAX_MS = 2**31 - 1


def _storable(value: str) -> bool:
    """Can PostgreSQL (and SQLite) store this text? JSON lets a client send a NUL
    (\\u0000), which PostgreSQL's text refuses, and a lone surrogate (\\ud800), which
    is not UTF-8 at all. Either one, found only by the database, used to fail the
    whole group commit it was written in, other clients' deliveries included."""
    if "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _check_storable(result: ParsedResult, message: dict, index: int) -> None:
    """Refuse what the columns cannot hold, so the write of a batch cannot fail on it."""
    if not _storable(result.request_id) or not all(_storable(s.text) for s in result.segments):
        raise InvalidResults(
            _(
                "Item %(i)d: the text and 'metadata.request_id' must not contain NUL"
                " characters (\\u0000) or unpaired surrogates (\\ud800-\\udfff)."
            )
            % {"i": index}
        )
    # start and duration are numbers by now (parse_results checked them).
    end = message.get("start", 0) + message.get("duration", 0)
    if round(end * 1000) > MAX_MS or any(
        max(s.start_ms, s.end_ms, s.duration_ms) > MAX_MS for s in result.segments
    ):
        raise InvalidResults(
            _("Item %(i)d: 'start', 'duration' and word times must be below %(s)d seconds.")
            % {"i": index, "s": MAX_MS // 1000}
        )


def parse_batch(results: object) -> tuple[list[ParsedResult], int]:
    """Parse a whole batch before writing anything: one bad item refuses it all,
    and an item the database could not store is a bad item."""
    items = results if isinstance(results, list) else [results]
    parsed: list[ParsedResult] = []
    skipped = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidResults(
                f"Item {index}: each item must be a JSON object (a Deepgram Results message)."
            )
        if is_utterance_end(item):
            try:
                parsed.append(parse_utterance_end(item))
            except InvalidResults as exc:
                raise InvalidResults(f"Item {index}: {exc}") from exc
            continue
        if not is_results_message(item):
            skipped += 1  # Metadata, SpeechStarted: nothing to store
            continue
        try:
            result = parse_results(item)
        except InvalidResults as exc:
            raise InvalidResults(f"Item {index}: {exc}") from exc
        _check_storable(result, item, index)
        parsed.append(result)
    return parsed, skipped


# What a later delivery of a chunk may change in its row.
CHANGEABLE_FIELDS = (
    "text",
    "speaker",
    "speaker_role",
    "is_interim",
    "confidence",
    "end_ms",
    "duration_ms",
    "speech_final",
)

INGEST_LOCK_FIELDS = (
    "status",
    "roles",
    "stt_provider",
    "started_at",
    "interviewer_id",
    "notice_decision",
)


def transcript_ingest(
    *, interview: Interview, results: object, stt_provider: str = "deepgram"
) -> IngestOutcome:
    """Store Deepgram live `Results` messages as transcript rows.

    A chunk's identity is (interview, request_id, channel_index, start, speaker
    run): interim results update one `is_interim` row, the final replaces its text
    (and adds a row per further speaker run), a re-delivered chunk changes nothing.
    """
    parsed, skipped = parse_batch(results)
    item = IngestItem(interview.pk, parsed, skipped, stt_provider)
    (outcome,) = transcript_ingest_many([item])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@dataclass
class _Plan:
    """What one item will write, worked out before any write of the batch."""

    interview: Interview
    outcome: IngestOutcome
    touched: dict[tuple, Transcript] = field(default_factory=dict)  # in the order clients see them
    deleted: list[tuple[int, dict]] = field(default_factory=list)
    utterance_ends: set[int] = field(default_factory=set)  # channels whose speaker stopped


@transaction.atomic
def transcript_ingest_many(items: list[IngestItem]) -> list[IngestOutcome | Exception]:
    """Ingest deliveries for several interviews in ONE transaction (group commit).

    The per-chunk rules are those of `transcript_ingest`; what is shared is the
    work: one lock query, one lookup of existing rows, one INSERT, one pipelined
    batch of UPDATEs, one seq update and one INSERT of events for the whole batch,
    and one commit. Each item's refusal (not found, not allowed, not live, notice
    declined) is
    returned in its place and writes nothing; any other error rolls the whole
    batch back, and the caller retries its items one by one.

    Interview ids must be distinct: two deliveries to one interview go in two
    batches, in order.
    """
    ids = [item.interview_id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("transcript_ingest_many takes one item per interview")
    locked = {
        row.pk: row
        for row in Interview.objects.select_for_update()
        .only(*INGEST_LOCK_FIELDS)
        .filter(pk__in=ids)
        .order_by("pk")  # every batch locks in the same order: no deadlocks
    }
    results: list[IngestOutcome | Exception] = []
    working: list[tuple[IngestItem, IngestOutcome]] = []
    for item in items:
        interview = locked.get(item.interview_id)
        if interview is None:
            results.append(InterviewNotFound())
        elif item.user is not None and not interview.can_be_changed_by(item.user):
            results.append(NotAllowed())
        elif interview.status != InterviewStatus.LIVE:
            results.append(InterviewNotLive(interview.status))
        elif interview.recording_declined:
            results.append(RecordingDeclined())
        else:
            outcome = IngestOutcome(skipped=item.skipped)
            results.append(outcome)
            if item.parsed:
                working.append((item, outcome))
    if not working:
        return results

    now = timezone.now()
    existing = _existing_rows([item for item, _outcome in working])
    starts = _known_connection_starts([item for item, _outcome in working], existing)
    plans = [
        _plan(
            locked[item.interview_id],
            item,
            existing.get(item.interview_id, {}),
            _connection_starts(
                locked[item.interview_id], item.parsed, starts[item.interview_id], now
            ),
            outcome,
            now,
        )
        for item, outcome in working
    ]

    touched = [row for plan in plans for row in plan.touched.values()]
    updates = [row for row in touched if row.pk is not None]
    Transcript.objects.bulk_create([row for row in touched if row.pk is None])
    # Mostly an interim growing into its final: one UPDATE per row, sent as one
    # pipelined batch rather than bulk_update's CASE expressions.
    if updates:
        columns = ", ".join(f"{name} = %s" for name in CHANGEABLE_FIELDS)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Transcript._meta.db_table} SET {columns} WHERE id = %s",
                [[getattr(row, name) for name in CHANGEABLE_FIELDS] + [row.pk] for row in updates],
            )
    gone = [pk for plan in plans for pk, _data in plan.deleted]
    if gone:
        Transcript.objects.filter(pk__in=gone).delete()
    ended = [(plan.interview.pk, ch) for plan in plans for ch in sorted(plan.utterance_ends)]
    for interview_id, channel_index in ended:
        # After this batch's rows are written: an UtteranceEnd right behind its final
        # (in one delivery) ends that final.
        last = (
            Transcript.objects.final()
            .filter(interview_id=interview_id, channel_index=channel_index)
            .order_by("-timestamp", "-id")
            .values_list("pk", flat=True)
            .first()
        )
        if last is not None:
            Transcript.objects.filter(pk=last).update(speech_final=True)
            transaction.on_commit(partial(wakeup.notify, interview_id), robust=True)

    ended_ids = {interview_id for interview_id, _channel in ended}
    changes: dict[int, list[Change]] = {}
    first_words: dict[str, list[int]] = {}
    for (item, _outcome), plan in zip(working, plans, strict=True):
        if not plan.touched and not plan.deleted:
            continue
        interview = plan.interview
        changes[interview.pk] = [
            Change(EventType.TRANSCRIPT, pk, data) for pk, data in plan.deleted
        ] + [Change(EventType.TRANSCRIPT, r.pk, transcript_data(r)) for r in plan.touched.values()]
        plan.outcome.transcript_ids = [r.pk for r in plan.touched.values()]
        if not interview.stt_provider:  # the first words: record who transcribes
            interview.stt_provider = item.stt_provider
            first_words.setdefault(item.stt_provider, []).append(interview.pk)
        finals = [r for r in plan.touched.values() if not r.is_interim]
        if finals:
            # Robust: the rows are committed by then, and a listener's failure must
            # not turn this batch's answers into errors (the runner polls anyway).
            open_answer = () if interview.pk in ended_ids else _open_answer(finals)
            transaction.on_commit(
                partial(wakeup.notify, interview.pk, open_answer=open_answer), robust=True
            )
    for provider, interview_ids in first_words.items():
        Interview.objects.filter(pk__in=interview_ids).update(stt_provider=provider, updated_at=now)
    events_append_many(changes)
    return results


def _open_answer(finals: list[Transcript]) -> tuple[int, ...]:
    """The ids of new finals that carry the candidate's answer on without ending
    it (none if any of them is someone else's or ends the answer): the runner
    needs to look only when the answer may be over."""
    if all(r.speaker_role == SpeakerRole.GUEST and not r.speech_final for r in finals):
        return tuple(r.pk for r in finals)
    return ()


def _plan(
    interview: Interview,
    item: IngestItem,
    rows: dict[tuple, Transcript],
    connection_starts: dict[str, int],
    outcome: IngestOutcome,
    now,
) -> _Plan:
    plan = _Plan(interview, outcome)
    for result in item.parsed:
        if result.utterance_end:
            # No row of its own (counted as skipped), but it ends the last final.
            plan.utterance_ends.add(result.channel_index)
            outcome.skipped += 1
            continue
        base = (result.request_id, result.channel_index, result.start_ms)
        first = rows.get((*base, 0))
        if first is not None and not first.is_interim:
            outcome.duplicates += 1  # the final is in: later copies change nothing
            continue
        if not result.segments:
            if result.is_final and first is not None and first.pk:
                # The final says there was no speech: the interim row goes away.
                plan.deleted.append((first.pk, {**transcript_data(first), "deleted": True}))
                rows.pop((*base, 0))
                plan.touched.pop((*base, 0), None)
            else:
                outcome.skipped += 1
            continue
        changed = False
        for segment in result.segments:
            key = (*base, segment.run)
            row = rows.get(key)
            values = {  # CHANGEABLE_FIELDS
                "text": segment.text,
                "speaker": segment.speaker,
                "speaker_role": interview.role_of(segment.speaker),
                "is_interim": not segment.is_final,
                "confidence": segment.confidence,
                "end_ms": segment.end_ms,
                "duration_ms": segment.duration_ms,
                "speech_final": segment.speech_final,
            }
            if row is None:
                row = Transcript(
                    interview_id=interview.pk,
                    request_id=segment.request_id,
                    channel_index=segment.channel_index,
                    start_ms=segment.start_ms,
                    # An interview left live for weeks must not overflow the column.
                    offset_ms=min(MAX_MS, connection_starts[segment.request_id] + segment.start_ms),
                    run=segment.run,
                    # Runs of one final keep their order after the segment's first row.
                    timestamp=(first.timestamp if first else now)
                    + timedelta(microseconds=segment.run),
                    **values,
                )
                rows[key] = row
            elif all(getattr(row, name) == value for name, value in values.items()):
                continue
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            plan.touched[key] = row
            changed = True
        if not changed:
            outcome.duplicates += 1
    return plan


def _connection_starts(
    interview: Interview, parsed: list[ParsedResult], known: dict[str, int], now
) -> dict[str, int]:
    """Where each Deepgram connection (request_id) began, in ms into the interview.

    A connection already seen keeps its start (`known`); a new one began when its
    first message arrived, less the audio it had already heard.
    """
    starts = dict(known)
    parsed = [p for p in parsed if not p.utterance_end]
    for request_id in {p.request_id for p in parsed} - starts.keys():
        heard = min(p.start_ms for p in parsed if p.request_id == request_id)
        elapsed = (
            int((now - interview.started_at).total_seconds() * 1000) if interview.started_at else 0
        )
        starts[request_id] = max(0, elapsed - heard)
    return starts


def _known_connection_starts(
    working: list[IngestItem], existing: dict[int, dict[tuple, Transcript]]
) -> dict[int, dict[str, int]]:
    """The start of every connection the items name that has rows already, by
    interview: from the rows just read, else one query for all the others."""
    known: dict[int, dict[str, int]] = {}
    missing: list[tuple[int, str]] = []
    for item in working:
        starts = known.setdefault(item.interview_id, {})
        for row in existing.get(item.interview_id, {}).values():
            starts[row.request_id] = row.offset_ms - row.start_ms
        missing += [
            (item.interview_id, request_id)
            for request_id in {p.request_id for p in item.parsed if not p.utterance_end}
            - starts.keys()
        ]
    if missing:
        # Every row of a connection has the same offset - start: any one row tells
        # (LIMIT 1 through the identity index, not a MIN over a growing interview).
        values = ", ".join(["(%s, %s)"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT v.column1, v.column2, (SELECT t.offset_ms - t.start_ms"
                f" FROM {Transcript._meta.db_table} t WHERE t.interview_id = v.column1"
                " AND t.request_id = v.column2 LIMIT 1)"
                f" FROM (VALUES {values}) AS v",
                [value for pair in missing for value in pair],
            )
            for interview_id, request_id, start in cursor.fetchall():
                if start is not None:
                    known[interview_id][request_id] = start
    return known


def _existing_rows(items: list[IngestItem]) -> dict[int, dict[tuple, Transcript]]:
    """Rows already stored for the items' chunk identities, by interview, in one query.

    Written as a row-value IN over a VALUES list (PostgreSQL and SQLite alike): an
    OR of a hundred Q objects cost more to compile than to run.
    """
    keys = {
        (item.interview_id, p.request_id, p.start_ms)
        for item in items
        for p in item.parsed
        if not p.utterance_end
    }
    if not keys:
        return {}
    values = ", ".join(["(%s, %s, %s)"] * len(keys))
    found: dict[int, dict[tuple, Transcript]] = {}
    rows = Transcript.objects.raw(
        f"SELECT * FROM {Transcript._meta.db_table}"
        f" WHERE (interview_id, request_id, start_ms) IN (VALUES {values})",
        [value for key in keys for value in key],
    )
    for row in rows:
        found.setdefault(row.interview_id, {})[
            (row.request_id, row.channel_index, row.start_ms, row.run)
        ] = row
    return found
