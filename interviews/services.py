"""Writes to interviews: the lifecycle, transcript ingest, speaker roles, insights.

Each service is the one place its rule is enforced, runs in one transaction, takes
the interview's row lock first (so every writer of an interview locks in the same
order), appends what live pages must see to the event log, and leaves
broadcasting and waking the analysis runner to after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import wakeup
from .analysis.base import ChunkAnalysis
from .deepgram import InvalidResults, ParsedResult, is_results_message, parse_results
from .events import Change, events_append
from .models import (
    AIInsight,
    EventType,
    Interview,
    InterviewStatus,
    SpeakerRole,
    Transcript,
)
from .payloads import insight_data, interview_data, roles_data, transcript_data


class TransitionError(Exception):
    """An illegal lifecycle transition (answered 409)."""


class InterviewNotLive(Exception):
    """Transcripts arrive only while the interview is live (answered 409)."""


def _locked(interview_id: int, *fields: str) -> Interview:
    """The interview row, locked; `fields` limits what is read (the analysis state
    grows with the interview and ingest does not need it)."""
    rows = Interview.objects.select_for_update()
    if fields:
        rows = rows.only(*fields)
    return rows.get(pk=interview_id)


# --- Lifecycle ----------------------------------------------------------------


@transaction.atomic
def interview_transition(*, interview: Interview, to: str, by=None) -> Interview:
    """Move an interview along scheduled -> live -> completed (or to cancelled).

    A transition to the current status changes nothing, so clients can retry.
    """
    if to not in InterviewStatus.values:
        raise TransitionError(_("Unknown status “%(to)s”.") % {"to": to})
    locked = _locked(interview.pk)
    if locked.status == to:
        return locked
    if not locked.can_transition_to(to):
        raise TransitionError(
            _("An interview cannot go from “%(from)s” to “%(to)s”.")
            % {"from": locked.status, "to": to}
        )
    now = timezone.now()
    locked.status = to
    fields = ["status", "updated_at"]
    if to == InterviewStatus.LIVE:
        locked.started_at = now
        fields.append("started_at")
    elif to == InterviewStatus.COMPLETED:
        locked.completed_at = now
        fields.append("completed_at")
    locked.save(update_fields=fields)
    events_append(
        interview_id=locked.pk,
        changes=[Change(EventType.INTERVIEW, locked.pk, interview_data(locked))],
    )
    if to == InterviewStatus.COMPLETED:
        # The runner finishes any pending analysis, then writes the scorecard.
        transaction.on_commit(lambda: wakeup.notify(locked.pk))
    return locked


# --- Transcript ingest --------------------------------------------------------


@dataclass
class IngestOutcome:
    transcript_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    skipped: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.transcript_ids)


def parse_batch(results: object) -> tuple[list[ParsedResult], int]:
    """Parse a whole batch before writing anything: one bad item refuses it all."""
    items = results if isinstance(results, list) else [results]
    parsed: list[ParsedResult] = []
    skipped = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidResults(
                f"Item {index}: each item must be a JSON object (a Deepgram Results message)."
            )
        if not is_results_message(item):
            skipped += 1  # Metadata, UtteranceEnd, SpeechStarted: nothing to store
            continue
        try:
            parsed.append(parse_results(item))
        except InvalidResults as exc:
            raise InvalidResults(f"Item {index}: {exc}") from exc
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
)


@transaction.atomic
def transcript_ingest(
    *, interview: Interview, results: object, stt_provider: str = "deepgram"
) -> IngestOutcome:
    """Store Deepgram live `Results` messages as transcript rows.

    A chunk's identity is (interview, request_id, channel_index, start, speaker
    run): interim results update one `is_interim` row, the final replaces its text
    (and adds a row per further speaker run), a re-delivered chunk changes nothing.
    """
    parsed, skipped = parse_batch(results)
    locked = _locked(interview.pk, "status", "roles", "stt_provider", "started_at")
    if locked.status != InterviewStatus.LIVE:
        raise InterviewNotLive(
            _("Transcripts are accepted only while the interview is live (it is “%(s)s”).")
            % {"s": locked.status}
        )
    outcome = IngestOutcome(skipped=skipped)
    if not parsed:
        return outcome

    rows = _existing_rows(locked.pk, parsed)
    now = timezone.now()
    connection_starts = _connection_starts(locked, parsed, rows, now)
    touched: dict[tuple, Transcript] = {}  # in the order clients should see them
    deleted: list[tuple[int, dict]] = []
    for result in parsed:
        base = (result.request_id, result.channel_index, result.start_ms)
        first = rows.get((*base, 0))
        if first is not None and not first.is_interim:
            outcome.duplicates += 1  # the final is in: later copies change nothing
            continue
        if not result.segments:
            if result.is_final and first is not None and first.pk:
                # The final says there was no speech: the interim row goes away.
                deleted.append((first.pk, {**transcript_data(first), "deleted": True}))
                first.delete()
                rows.pop((*base, 0))
                touched.pop((*base, 0), None)
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
                "speaker_role": locked.role_of(segment.speaker),
                "is_interim": not segment.is_final,
                "confidence": segment.confidence,
                "end_ms": segment.end_ms,
                "duration_ms": segment.duration_ms,
            }
            if row is None:
                row = Transcript(
                    interview_id=locked.pk,
                    request_id=segment.request_id,
                    channel_index=segment.channel_index,
                    start_ms=segment.start_ms,
                    offset_ms=connection_starts[segment.request_id] + segment.start_ms,
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
            touched[key] = row
            changed = True
        if not changed:
            outcome.duplicates += 1

    new_rows = [row for row in touched.values() if row.pk is None]
    old_rows = [row for row in touched.values() if row.pk is not None]
    Transcript.objects.bulk_create(new_rows)
    # A batch changes a row or two (an interim growing into its final): plain
    # UPDATEs, not bulk_update's CASE expressions, which cost more for so few.
    for row in old_rows:
        Transcript.objects.filter(pk=row.pk).update(
            **{name: getattr(row, name) for name in CHANGEABLE_FIELDS}
        )
    changes = [Change(EventType.TRANSCRIPT, pk, data) for pk, data in deleted]
    changes += [Change(EventType.TRANSCRIPT, r.pk, transcript_data(r)) for r in touched.values()]
    if not locked.stt_provider and changes:
        locked.stt_provider = stt_provider
        locked.save(update_fields=["stt_provider", "updated_at"])
    events_append(interview_id=locked.pk, changes=changes)
    outcome.transcript_ids = [r.pk for r in touched.values()]
    if any(not r.is_interim for r in touched.values()):
        transaction.on_commit(lambda: wakeup.notify(locked.pk))
    return outcome


def _connection_starts(
    interview: Interview, parsed: list[ParsedResult], rows: dict[tuple, Transcript], now
) -> dict[str, int]:
    """Where each Deepgram connection (request_id) began, in ms into the interview.

    A connection already seen keeps its start; a new one began when its first
    message arrived, less the audio it had already heard.
    """
    request_ids = {p.request_id for p in parsed}
    starts = {r.request_id: r.offset_ms - r.start_ms for r in rows.values()}
    for request_id in request_ids - starts.keys():
        # Every row of a connection has the same offset - start: any one row tells.
        seen = (
            Transcript.objects.filter(interview_id=interview.pk, request_id=request_id)
            .order_by()
            .values_list("offset_ms", "start_ms")[:1]
        )
        for offset_ms, start_ms in seen:
            starts[request_id] = offset_ms - start_ms
    for request_id in request_ids - starts.keys():
        heard = min(p.start_ms for p in parsed if p.request_id == request_id)
        elapsed = (
            int((now - interview.started_at).total_seconds() * 1000) if interview.started_at else 0
        )
        starts[request_id] = max(0, elapsed - heard)
    return starts


def _existing_rows(interview_id: int, parsed: list[ParsedResult]) -> dict[tuple, Transcript]:
    """Rows already stored for the batch's chunk identities, in one query."""
    request_ids = {p.request_id for p in parsed}
    starts = {p.start_ms for p in parsed}
    found = Transcript.objects.filter(
        interview_id=interview_id, request_id__in=request_ids, start_ms__in=starts
    ).order_by()
    return {(r.request_id, r.channel_index, r.start_ms, r.run): r for r in found}


# --- Speaker roles ------------------------------------------------------------


@transaction.atomic
def interview_set_roles(
    *, interview: Interview, host: str, guest: str, confidence: int = 100
) -> Interview:
    """Map diarised speakers to host and guest, and back-fill `speaker_role`.

    Used by role detection and by the interviewer confirming or swapping roles;
    later analysis reads the corrected roles.
    """
    if not host or not guest or host == guest:
        raise ValueError(_("Host and guest must be two different speakers."))
    if not 0 <= confidence <= 100:
        raise ValueError(_("Confidence must be between 0 and 100."))
    locked = _locked(interview.pk)
    locked.roles = {SpeakerRole.HOST: host, SpeakerRole.GUEST: guest}
    locked.roles_assigned = True
    locked.roles_confidence = confidence
    locked.save(update_fields=["roles", "roles_assigned", "roles_confidence", "updated_at"])
    rows = Transcript.objects.filter(interview_id=locked.pk)
    rows.filter(speaker=host).update(speaker_role=SpeakerRole.HOST)
    rows.filter(speaker=guest).update(speaker_role=SpeakerRole.GUEST)
    rows.exclude(speaker__in=[host, guest]).update(speaker_role=None)
    # One `roles` event: pages relabel every row by speaker rather than receiving
    # each back-filled row again.
    events_append(
        interview_id=locked.pk, changes=[Change(EventType.ROLES, locked.pk, roles_data(locked))]
    )
    transaction.on_commit(lambda: wakeup.notify(locked.pk))
    return locked


# --- Insights -----------------------------------------------------------------


@transaction.atomic
def insight_update(
    *, insight: AIInsight, used: bool | None = None, dismissed: bool | None = None
) -> AIInsight:
    """The interviewer marks a suggestion used, or dismisses a wrong insight."""
    _locked(insight.interview_id)
    row = AIInsight.objects.select_for_update().get(pk=insight.pk)
    fields = []
    if used is not None and row.used != used:
        row.used = used
        fields.append("used")
    if dismissed is not None and row.dismissed != dismissed:
        row.dismissed = dismissed
        fields.append("dismissed")
    if fields:
        row.save(update_fields=fields)
        events_append(
            interview_id=row.interview_id,
            changes=[Change(EventType.INSIGHT, row.pk, insight_data(row))],
        )
    return row


@transaction.atomic
def chunk_analysis_commit(
    *, interview_id: int, transcript_id: int, analysis: ChunkAnalysis, provider: str
) -> list[AIInsight] | None:
    """Commit one chunk's insights together with its progress marker.

    Returns None (and writes nothing) when the chunk was already analysed or an
    earlier final chunk is still pending: with any number of workers, each chunk
    is analysed exactly once, in order.
    """
    interview = _locked(interview_id)
    chunk = Transcript.objects.filter(pk=transcript_id, interview_id=interview_id).first()
    if chunk is None or chunk.is_interim or chunk.analyzed_at is not None:
        return None
    earlier_pending = (
        Transcript.objects.pending_analysis()
        .filter(interview_id=interview_id)
        .filter(Q(timestamp__lt=chunk.timestamp) | Q(timestamp=chunk.timestamp, pk__lt=chunk.pk))
        .exists()
    )
    if earlier_pending:
        return None
    now = timezone.now()
    Transcript.objects.filter(pk=chunk.pk).update(analyzed_at=now)
    insights = AIInsight.objects.bulk_create(
        AIInsight(
            interview_id=interview_id,
            transcript_id=chunk.pk,
            type=draft.type,
            severity=draft.severity,
            content=draft.content,
            suggestion=draft.suggestion,
            topic=draft.topic,
            evidence=draft.evidence,
            response_quality=draft.response_quality,
            sentiment=draft.sentiment,
            score=draft.score,
            timestamp=now,
        )
        for draft in analysis.insights
    )
    scores_before = (interview.analysis_state or {}).get("scores")
    interview.analysis_state = analysis.state
    interview.ai_provider = provider
    interview.save(update_fields=["analysis_state", "ai_provider", "updated_at"])
    changes = [Change(EventType.INSIGHT, i.pk, insight_data(i)) for i in insights]
    if analysis.state.get("scores") != scores_before or insights:
        changes.append(Change(EventType.INTERVIEW, interview.pk, interview_data(interview)))
    events_append(interview_id=interview_id, changes=changes)
    return insights


# --- Scheduling -----------------------------------------------------------------


@transaction.atomic
def interview_schedule(
    *,
    candidate,
    interviewer,
    scheduled_at,
    job_position=None,
    language: str = "es",
) -> Interview:
    """Put a new interview on the calendar for `interviewer` (the dashboard's
    current user). No live page watches an interview before it exists, so there is
    nothing to append to the event log yet."""
    from django.core.exceptions import ValidationError

    from candidates.models import JobPositionStatus

    if job_position is not None and job_position.status == JobPositionStatus.CLOSED:
        # A closed position is no longer hiring: an interview for it is a mistake.
        raise ValidationError(
            {"job_position": _("This position is closed: reopen it before scheduling.")}
        )
    interview = Interview(
        candidate=candidate,
        interviewer=interviewer,
        job_position=job_position,
        scheduled_at=scheduled_at,
        language=language,
        status=InterviewStatus.SCHEDULED,
    )
    interview.full_clean()
    interview.save()
    return interview
